using System.Text.Json;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Notifications;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// Turns committed change events into routable stream events, in batches: one query per related table per batch.
/// Payloads are the REST API's JSON, rendered once per event (plus once for the author, whose copy says canEdit, when
/// the author has a stream open).
/// </summary>
public sealed class StreamEventBuilder(ChorusDb db, PostRenderer renderer, NotificationStreamEvents notifications, IServiceProvider services)
{
    public static readonly IReadOnlySet<string> PostKinds = new HashSet<string> { "post.created", "post.updated", "post.deleted", "share.created", "reaction.changed" };

    /// <summary>
    /// Builds the batch's stream events. <paramref name="recipients"/>, when given, says which people's personal events
    /// (notifications, and an author's own copy of a post) are worth building: those with an open stream. Events left out are never delivered live, so
    /// the caller must only leave out people who cannot attach a stream before the batch is dispatched
    /// (<see cref="StreamHub.BeginBatch"/>). <paramref name="committed"/>, when given, hears of the batch's changes (with
    /// their posts and topics) before anything is rendered, so the node's read caches forget what the batch made stale
    /// before the payloads are rendered from them.
    /// </summary>
    /// <remarks><paramref name="listened"/>, when given, says whether any open stream listens on one of a post's keys:
    /// a post event nobody listens to is left out before its payload is rendered (with no stream open, rendering and
    /// writing the JSON of every new post was a tenth of the server's CPU per post in W1). It is ignored for a batch
    /// that changes subscriptions (follows, group membership), whose later events may reach streams that only listen
    /// once the batch's own control events are applied.</remarks>
    /// <remarks><paramref name="written"/>, when given, holds the posts this node's writer committed: a post whose only
    /// event in the batch is its post.created (or share.created) is taken from there instead of read back.</remarks>
    public async Task<List<StreamEvent>> BuildAsync(IReadOnlyList<ChangeEvent> events, CancellationToken ct, Func<long, bool>? recipients = null,
        Action<IReadOnlyList<CommittedChange>>? committed = null, Func<IReadOnlyList<StreamKey>, bool>? listened = null, WrittenPosts? written = null)
    {
        if (listened is not null && events.Any(e => EventDispatcher.Resubscribes(e.Kind))) listened = null;
        var options = FastJson.Options(services);
        var (posts, topics) = await PostsOfAsync(events, written, ct);
        committed?.Invoke([.. events.Select(e => new CommittedChange(e,
            e.PostId is { } id ? posts.GetValueOrDefault(id) : null, e.PostId is { } tid ? topics.GetValueOrDefault(tid) ?? [] : []))]);
        var keysOf = posts.Values.ToDictionary(p => p.Id, p => KeysOf(p, topics.GetValueOrDefault(p.Id) ?? []));
        var live = posts.Values.Where(p => p.DeletedAt is null && (listened is null || listened(keysOf[p.Id]))).ToList();
        var rendered = (await renderer.RenderAsync(live, Viewer.Organization, ct)).ToDictionary(d => long.Parse(d.Id, System.Globalization.CultureInfo.InvariantCulture));
        var actorIds = events.Where(e => e.Kind == "reaction.changed").Select(e => e.ActorId).Distinct().ToList();
        var actors = actorIds.Count == 0 ? [] : await db.People.AsNoTracking().Where(p => actorIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Handle, ct);

        var notified = await notifications.BuildAsync(events, options, recipients, ct);
        var memberships = await MembershipsAsync(events, ct);

        var result = new List<StreamEvent>(events.Count);
        foreach (var e in events)
        {
            var seq = e.Seq!.Value;
            if (NotificationStreamEvents.Handles(e.Kind))
            {
                if (notified.TryGetValue(e.Id, out var built)) result.Add(built);
            }
            else if (e.PostId is { } pid && PostKinds.Contains(e.Kind))
            {
                if (!posts.TryGetValue(pid, out var post)) continue;
                var keys = keysOf[pid];
                if (listened is not null && !listened(keys)) continue;
                // Visibility is judged on the post as its audience saw it, so a deletion reaches those who saw the post.
                var audience = post.DeletedAt is null ? post : CopyUndeleted(post);
                string data;
                string? authorData = null;
                if (e.Kind == "post.deleted" || !rendered.TryGetValue(pid, out var dto))
                {
                    if (e.Kind != "post.deleted") continue; // deleted since: its own post.deleted event follows
                    data = JsonSerializer.Serialize(new { id = pid.ToString(System.Globalization.CultureInfo.InvariantCulture), rootId = post.RootId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, options);
                }
                else if (e.Kind == "reaction.changed")
                {
                    var added = e.Data?.StartsWith('+') ?? true;
                    var kind = e.Data?.TrimStart('+', '-') ?? "";
                    data = JsonSerializer.Serialize(new ReactionChange(dto.Id, kind, added, dto.Reactions.GetValueOrDefault(kind), dto.Reactions,
                        actors.GetValueOrDefault(e.ActorId, "")), options);
                }
                else
                {
                    data = JsonSerializer.Serialize(dto, options);
                    // Writing the JSON of posts was a tenth of what the server allocated per post (W1): the author's copy
                    // only when the author can receive it; without it the author would get the readers' copy.
                    if (recipients is null || recipients(post.AuthorId))
                        authorData = JsonSerializer.Serialize(dto with { CanEdit = true }, options);
                }
                result.Add(new StreamEvent(seq, e.Kind, keys, audience, post.AuthorId, data, authorData, null));
            }
            else
            {
                // Control events: only for the actor's own connections (follows) or closing streams (revocations).
                result.Add(new StreamEvent(seq, e.Kind, [StreamKey.Person(e.PersonId ?? e.ActorId)], null, null, e.Data ?? "{}", null, e.PersonId ?? e.ActorId));
                // Joins and departures are also the group's news: a second copy, group.member (same position, so
                // nobody gets both), goes to the group's stream, for those who may read the group — the post rule decides, asked
                // about a post in that group.
                if (memberships.TryGetValue(e.Id, out var shared)) result.Add(shared with { Seq = seq });
            }
        }
        return result;
    }

    /// <summary>The batch's posts and their topics: from <paramref name="written"/> where it has them, else from the database.</summary>
    async Task<(Dictionary<long, Post> Posts, Dictionary<long, IReadOnlyList<long>> Topics)> PostsOfAsync(IReadOnlyList<ChangeEvent> events,
        WrittenPosts? written, CancellationToken ct)
    {
        var posts = new Dictionary<long, Post>();
        var topics = new Dictionary<long, IReadOnlyList<long>>();
        var about = events.Where(e => e.PostId is not null && PostKinds.Contains(e.Kind)).ToList();
        if (about.Count == 0) return (posts, topics);
        if (written is not null)
        {
            // A post with another event in the batch (an edit, a deletion) is read as it is now, as before.
            var once = about.GroupBy(e => e.PostId!.Value).Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet();
            foreach (var e in about)
                if (written.TryTake(e, out var change) && once.Contains(e.PostId!.Value))
                {
                    posts[change.Post!.Id] = change.Post;
                    topics[change.Post.Id] = change.TopicIds;
                }
        }
        var missing = about.Select(e => e.PostId!.Value).Where(id => !posts.ContainsKey(id)).Distinct().ToList();
        if (missing.Count == 0) return (posts, topics);
        foreach (var p in await db.Posts.AsNoTracking().Where(p => missing.Contains(p.Id)).ToListAsync(ct)) posts[p.Id] = p;
        foreach (var g in (await db.PostTopics.AsNoTracking().Where(t => missing.Contains(t.PostId)).ToListAsync(ct)).GroupBy(t => t.PostId))
            topics[g.Key] = [.. g.Select(t => t.TopicId)];
        return (posts, topics);
    }

    /// <summary>The keys a post's events are routed by: its group (or the company), its author, its thread, its topics.</summary>
    static List<StreamKey> KeysOf(Post post, IEnumerable<long> topicIds)
    {
        var keys = new List<StreamKey> { post.GroupId is { } gid ? StreamKey.Group(gid) : StreamKey.Company, StreamKey.Author(post.AuthorId), StreamKey.Thread(post.RootId) };
        keys.AddRange(topicIds.Select(StreamKey.Topic));
        return keys;
    }

    /// <summary>The group-stream copies of this batch's joins and departures (invitations and requests stay with the admins' lists).</summary>
    async Task<Dictionary<long, StreamEvent>> MembershipsAsync(IReadOnlyList<ChangeEvent> events, CancellationToken ct)
    {
        var result = new Dictionary<long, StreamEvent>();
        var changes = events.Where(e => e.Kind == "group.membership" && e.PersonId is not null)
            .Select(e => (Event: e, Change: MembershipChange.Parse(e.Data)))
            .Where(x => x.Change is { State: "member" or "none" }).ToList();
        if (changes.Count == 0) return result;
        var groupIds = changes.Select(x => x.Change!.GroupId).Distinct().ToList();
        var groups = await db.Groups.AsNoTracking().Where(g => groupIds.Contains(g.Id) && g.DeletedAt == null && g.Kind != GroupKind.Company)
            .ToDictionaryAsync(g => g.Id, ct);
        var personIds = changes.Select(x => x.Event.PersonId!.Value).Distinct().ToList();
        var handles = await db.People.AsNoTracking().Where(p => personIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Handle, ct);
        var options = FastJson.Options(services);
        foreach (var (e, change) in changes)
        {
            if (!groups.TryGetValue(change!.GroupId, out var group) || !handles.TryGetValue(e.PersonId!.Value, out var handle)) continue;
            var audience = PostVisibility.AudienceOf(group);
            var data = JsonSerializer.Serialize(new
            {
                groupId = group.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), state = change.State, person = handle,
            }, options);
            result[e.Id] = new StreamEvent(0, "group.member", [StreamKey.Group(group.Id)], audience, null, data, null, null);
        }
        return result;
    }

    sealed record MembershipChange(long GroupId, string State)
    {
        public static MembershipChange? Parse(string? data)
        {
            if (string.IsNullOrEmpty(data)) return null;
            try
            {
                using var doc = JsonDocument.Parse(data);
                var root = doc.RootElement;
                return long.TryParse(root.GetProperty("groupId").GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                    ? new MembershipChange(id, root.GetProperty("state").GetString() ?? "")
                    : null;
            }
            catch (Exception x) when (x is JsonException or KeyNotFoundException or InvalidOperationException) { return null; }
        }
    }

    static Post CopyUndeleted(Post p) => new()
    {
        Id = p.Id, AuthorId = p.AuthorId, Text = "", Html = "", ReplyToId = p.ReplyToId, RootId = p.RootId, ShareOfId = p.ShareOfId,
        GroupId = p.GroupId, MembersOnly = p.MembersOnly, Kind = p.Kind, CreatedAt = p.CreatedAt, EditedAt = p.EditedAt, DeletedAt = null,
    };
}

/// <summary>The reaction.changed payload: the same counts the REST API shows, and who changed what.</summary>
public sealed record ReactionChange(string PostId, string Kind, bool Added, int Count, IReadOnlyDictionary<string, int> Reactions, string Actor);
