using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Notifications;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Posts;

/// <summary>Writing posts: create, reply, share, edit with history, delete, react. Each change records its event in the same transaction.</summary>
public sealed class PostService(RequestDb requestDb, IdGenerator ids, TimeProvider clock, TopicStore topics, NotificationWriter notifications, PostViews views, PostWriter writer)
{
    ChorusDb db => requestDb.Context;

    public Task<Outcome<Post>> CreateAsync(Viewer viewer, CreatePostRequest request, CancellationToken ct) =>
        CreateAsync(viewer, request, PostKinds.Post, null, ct);

    /// <summary>
    /// Creates a post of any kind. <paramref name="attach"/> lets a kind add its own rows (a poll's options, an
    /// event's details) to the same unit of work, or refuse: then nothing is written.
    /// </summary>
    public async Task<Outcome<Post>> CreateAsync(Viewer viewer, CreatePostRequest request, string kind,
        Func<Post, Group?, Task<Problem?>>? attach, CancellationToken ct)
    {
        if (CheckText(request.Text, required: true) is { } problem) return problem;
        Post? parent = null;
        if (request.ReplyTo is not null)
        {
            if (!long.TryParse(request.ReplyTo, out var parentId)) return Problem.Invalid("replyTo", "is not a post id.");
            parent = await db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == parentId, ct);
            if (parent is null) return Problem.Invalid("replyTo", "No post you can see has this id.");
        }
        var place = await PlaceAsync(viewer, request.GroupId, parent, ct);
        if (place.Problem is { } placeProblem) return placeProblem;
        var group = place.Value;

        var now = Now();
        var post = new Post
        {
            Id = ids.Next(), AuthorId = viewer.Id, Text = request.Text!.Trim(), Html = "", CreatedAt = now, Kind = kind,
            ReplyToId = parent?.Id,
            // A reply lives where its thread lives, so it can never reach a wider audience than its parent.
            GroupId = parent is not null ? parent.GroupId : group?.Id,
            MembersOnly = parent?.MembersOnly ?? group?.MembersOnly ?? false,
        };
        post.RootId = parent?.RootId ?? post.Id;
        if (attach is not null && await attach(post, group) is { } attachProblem)
        {
            db.ChangeTracker.Clear();
            return attachProblem;
        }
        var text = await ApplyTextAsync(post, post.Text, ct);
        await notifications.AddForPostAsync(post, parent, text.Mentioned, now, ct);
        if (parent is not null) await PostTypes.QuestionService.NoteReplyAsync(db, post, now, ct);
        await SaveNewAsync(post, text, [post, Event("post.created", viewer, post, now), .. text.Rows], ct);
        return post;
    }

    /// <summary>
    /// Where a new post goes: the group named (null for the all-company stream). Only members post in a group; guests
    /// post only in their groups. A reply ignores groupId: it goes where its thread is.
    /// </summary>
    async Task<Outcome<Group?>> PlaceAsync(Viewer viewer, string? groupId, Post? parent, CancellationToken ct)
    {
        if (parent is not null) return (Group?)null;
        if (string.IsNullOrWhiteSpace(groupId) || groupId == Group.CompanyId.ToString())
        {
            if (viewer.IsGuest) return Problem.Invalid("groupId", "Guests post in their groups: name one.");
            return (Group?)null;
        }
        if (!long.TryParse(groupId, out var id)) return Problem.Invalid("groupId", "is not a group id.");
        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, ct);
        var mine = group is null ? null : await db.GroupMembers.AsNoTracking().FirstOrDefaultAsync(m => m.GroupId == id && m.PersonId == viewer.Id, ct);
        // Unknown and secret-to-you answer alike, so a post request never reveals that a secret group exists.
        if (group is null || !Groups.GroupAccess.CanFind(viewer, group, mine)) return Problem.NotFound("The group");
        if (!Groups.GroupAccess.IsMember(viewer, group, mine)) return Problem.Forbidden("Only members of the group can post in it; join it first.");
        return group;
    }

    public async Task<Outcome<Post>> ShareAsync(Viewer viewer, long postId, SharePostRequest request, CancellationToken ct)
    {
        if (CheckText(request.Comment, required: false) is { } problem) return problem;
        var target = await db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (target is null) return Problem.NotFound("The post");
        // Sharing a share shares the original, so chains never form.
        if (target.ShareOfId is { } originalId)
        {
            target = await db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == originalId, ct);
            if (target is null) return Problem.NotFound("The shared post");
        }
        var now = Now();
        var share = new Post
        {
            Id = ids.Next(), AuthorId = viewer.Id, Text = request.Comment?.Trim() ?? "", Html = "", CreatedAt = now,
            // A share keeps the original's group and audience: sharing never widens who can read a post.
            ShareOfId = target.Id, GroupId = target.GroupId, MembersOnly = target.MembersOnly,
        };
        share.RootId = share.Id;
        var text = await ApplyTextAsync(share, share.Text, ct);
        // About the original, so shares of one post group together; a share has the original's audience.
        await notifications.AddAsync(NotificationKinds.Share, viewer.Id, target.AuthorId, target, now, ct);
        await SaveNewAsync(share, text, [share, Event("share.created", viewer, share, now, target.Id.ToString()), .. text.Rows], ct);
        return share;
    }

    public async Task<Outcome<Post>> EditAsync(Viewer viewer, long postId, EditPostRequest request, CancellationToken ct)
    {
        var post = await db.Posts.VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null) return Problem.NotFound("The post");
        if (post.AuthorId != viewer.Id) return Problem.Forbidden("Only the author can edit a post.");
        if (CheckText(request.Text, required: post.ShareOfId is null) is { } problem) return problem;
        var text = request.Text!.Trim();
        if (text == post.Text) return post;

        var now = Now();
        // One transaction: the old topics and mentions go only if the new text is saved.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.PostRevisions.Add(new PostRevision { Id = ids.Next(), PostId = post.Id, Text = post.Text, Html = post.Html, WrittenAt = post.EditedAt ?? post.CreatedAt });
        await db.PostTopics.Where(t => t.PostId == post.Id).ExecuteDeleteAsync(ct);
        var mentionedBefore = await db.PostMentions.Where(m => m.PostId == post.Id).Select(m => m.PersonId).ToListAsync(ct);
        await db.PostMentions.Where(m => m.PostId == post.Id).ExecuteDeleteAsync(ct);
        post.Text = text;
        post.EditedAt = now;
        var applied = await ApplyTextAsync(post, text, ct);
        db.AddRange(applied.Rows);
        var mentioned = applied.Mentioned;
        // "text": the edit may have changed the post's topics (FeedSources); a vote or an answer changes only details.
        db.Events.Add(Event("post.updated", viewer, post, now, PostEdits.Text));
        // Only people newly named by the edit hear of it; a typo fix does not re-notify everyone.
        await notifications.AddAsync(NotificationKinds.Mention, viewer.Id, mentioned.Except(mentionedBefore).Take(NotificationWriter.MaxMentions).ToList(), post, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return post;
    }

    public async Task<Outcome<bool>> DeleteAsync(Viewer viewer, long postId, CancellationToken ct)
    {
        var post = await db.Posts.VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null) return Problem.NotFound("The post");
        if (post.AuthorId != viewer.Id && !viewer.IsAdmin) return Problem.Forbidden("Only the author or an admin can delete a post.");
        var now = Now();
        post.DeletedAt = now;
        db.Events.Add(Event("post.deleted", viewer, post, now));
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<Outcome<ReactionState>> ReactAsync(Viewer viewer, long postId, string? kind, bool add, CancellationToken ct)
    {
        var name = Reactions.Normalize(kind);
        if (name is null) return Problem.Invalid("emoji", $"must be one of: {string.Join(", ", Reactions.All.Select(r => r.Name))}.");
        var post = await db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null) return Problem.NotFound("The post");
        var now = Now();
        var exists = await db.Reactions.AnyAsync(r => r.PostId == postId && r.PersonId == viewer.Id && r.Kind == name, ct);
        if (add && !exists)
        {
            db.Reactions.Add(new Reaction { PostId = postId, PersonId = viewer.Id, Kind = name, CreatedAt = now });
            db.Events.Add(Event("reaction.changed", viewer, post, now, "+" + name));
            await notifications.AddAsync(NotificationKinds.Reaction, viewer.Id, post.AuthorId, post, now, ct);
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { db.ChangeTracker.Clear(); /* the same reaction arrived twice at once: one row wins */ }
        }
        else if (!add && exists)
        {
            db.Reactions.Remove(new Reaction { PostId = postId, PersonId = viewer.Id, Kind = name });
            db.Events.Add(Event("reaction.changed", viewer, post, now, "-" + name));
            await db.SaveChangesAsync(ct);
        }
        var count = await db.Reactions.CountAsync(r => r.PostId == postId && r.Kind == name, ct);
        return new ReactionState(postId.ToString(), name, add, count);
    }

    public static Problem? CheckText(string? text, bool required)
    {
        if (string.IsNullOrWhiteSpace(text)) return required ? Problem.Invalid("text", "must not be empty.") : null;
        var length = text.Trim().EnumerateRunes().Count();
        if (length > PostText.MaxLength)
            return Problem.Invalid("text", $"must be at most {PostText.MaxLength} characters (it has {length}).");
        if (text.Contains('\0')) return Problem.Invalid("text", "must not contain NUL characters.");
        if (!PostText.IsValidUnicode(text)) return Problem.Invalid("text", "is not valid Unicode (it has a lone surrogate).");
        return null;
    }

    /// <summary>What a post's text named: people (ids and handles, for notifications and the view) and topics, and
    /// the rows that record them, for the caller to save.</summary>
    sealed record AppliedText(IReadOnlyList<long> Mentioned, IReadOnlyList<(long Id, string Handle)> Mentions, IReadOnlyList<TopicRef> Topics, IReadOnlyList<object> Rows)
    {
        public static readonly AppliedText None = new([], [], [], []);
    }

    static readonly Dictionary<string, (long Id, string Handle)> NoOneKnown = [];
    static readonly Dictionary<string, string> NoHandles = [];

    /// <summary>Renders the text and returns its mentions and topics, with their rows (not added to the context).</summary>
    async Task<AppliedText> ApplyTextAsync(Post post, string text, CancellationToken ct)
    {
        if (text.Length == 0) { post.Html = ""; return AppliedText.None; }
        // Markdig's HTML once, for finding the candidates and for rendering.
        var html = PostText.MarkdownHtml(text);
        var candidates = PostText.MayMention(text) ? PostText.CandidateMentionsInHtml(html) : [];
        var known = candidates.Count == 0 ? NoOneKnown :
            (await db.People.Where(p => candidates.Contains(p.HandleKey)).Select(p => new { p.Id, p.HandleKey, p.Handle }).ToListAsync(ct))
            .ToDictionary(p => p.HandleKey, p => (p.Id, p.Handle));
        var rendered = PostText.RenderHtml(html, known.Count == 0 ? NoHandles : known.ToDictionary(k => k.Key, k => k.Value.Handle));
        post.Html = rendered.Html;
        var rows = new List<object>();
        foreach (var key in rendered.MentionKeys)
            rows.Add(new PostMention { PostId = post.Id, PersonId = known[key].Id });
        var topicRefs = await topics.EnsureAsync(rendered.Topics, ct);
        foreach (var topic in topicRefs)
            rows.Add(new PostTopic { PostId = post.Id, TopicId = topic.Id });
        var mentions = rendered.MentionKeys.Select(key => known[key]).ToList();
        return new AppliedText([.. mentions.Select(m => m.Id)], mentions, topicRefs, rows);
    }

    /// <summary>
    /// Saves a new post (through the group-committing <see cref="PostWriter"/>) and keeps its view in memory, built from what was just written (a new post has no reactions,
    /// replies or shares yet), so showing it to its author — and to everyone, on this node — needs no query. The view
    /// is stamped before the commit: if anything changes the post after the commit, the view is not kept (ADR 008).
    /// </summary>
    async Task SaveNewAsync(Post post, AppliedText text, IReadOnlyCollection<object> rows, CancellationToken ct)
    {
        var stamp = views.Cache.Begin(post.Id);
        // A post that needed no query leaves the request's context unrented (RequestDb).
        var rented = requestDb.IfRented;
        var inTransaction = rented?.Database.CurrentTransaction is not null;
        await writer.SaveAsync(rented, rows, ct);
        if (!inTransaction)
            views.Cache.Store(stamp, PostRenderer.NewView(post, text.Topics, [.. text.Mentions.OrderBy(m => m.Id).Select(m => m.Handle)]));
    }

    /// <summary>The time, to the microsecond: what PostgreSQL keeps, so a view built from the entity and one loaded from
    /// the row show the same time.</summary>
    DateTime Now()
    {
        var t = clock.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
    }

    static ChangeEvent Event(string kind, Viewer viewer, Post post, DateTime now, string? data = null) =>
        new() { Kind = kind, ActorId = viewer.Id, PostId = post.Id, Data = data, CreatedAt = now };
}

/// <summary>What a post.updated event says changed, in its data.</summary>
public static class PostEdits
{
    /// <summary>The text (and with it the topics and mentions), as opposed to the details of a question or poll.</summary>
    public const string Text = "text";
}
