using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Feeds;

/// <summary>
/// Feeds are assembled at read time from append-only posts (see docs/adr/003-feed-strategy.md): nothing is
/// written per follower, so posting costs the same for every author and follow changes apply to the next read.
/// Feeds list thread roots and shares, newest first; replies live in threads.
/// </summary>
public sealed class FeedService(ChorusDb db, PostRenderer renderer)
{
    public const int DefaultLimit = 20, MaxLimit = 100;

    /// <summary>
    /// Your posts, posts by people you follow (including their shares), posts in topics you follow, and posts in the
    /// groups you belong to (unless you turned that group off for your home feed).
    /// </summary>
    public async Task<Outcome<Page<PostDto>>> HomeAsync(Viewer viewer, string? cursor, int? limit, CancellationToken ct)
    {
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        var me = viewer.Id;
        var followees = db.Follows.Where(f => f.FollowerId == me).Select(f => f.FolloweeId);
        var followedTopics = await db.TopicFollows.Where(t => t.PersonId == me).Select(t => t.TopicId).ToListAsync(ct);
        var homeGroups = await db.GroupMembers.Where(m => m.PersonId == me && m.State == MembershipState.Member && m.ShowInHome)
            .Select(m => m.GroupId).ToListAsync(ct);

        var sources = new List<List<long>>(followedTopics.Count + 1)
        {
            await Roots(viewer, before)
                .Where(p => p.AuthorId == me || followees.Contains(p.AuthorId))
                .OrderByDescending(p => p.Id).Select(p => p.Id).Take(n + 1).ToListAsync(ct),
        };
        // One query per followed topic: a single topic walks its (topic_id, post_id) key newest-first and stops at n+1,
        // while "topic IN (…)" had to collect and sort every post of every followed topic (98 ms instead of < 1 ms for
        // a user following a popular topic on the 100,000-person data set, docs/benchmarks.md). MergeAsync cuts each list.
        foreach (var topic in followedTopics)
            sources.Add(await (from pt in db.PostTopics
                               join p in Roots(viewer, before) on pt.PostId equals p.Id
                               where pt.TopicId == topic
                               orderby pt.PostId descending
                               select pt.PostId).Take(n + 1).ToListAsync(ct));
        // One query per group for the same reason: each walks ix_posts_group newest-first and stops at n+1.
        foreach (var group in homeGroups)
            sources.Add(await Roots(viewer, before).Where(p => p.GroupId == group)
                .OrderByDescending(p => p.Id).Select(p => p.Id).Take(n + 1).ToListAsync(ct));
        return await MergeAsync(viewer, [.. sources], n, ct);
    }

    /// <summary>The all-company group's posts: the stream everyone in the organization shares. Guests have none.</summary>
    public async Task<Outcome<Page<PostDto>>> CompanyAsync(Viewer viewer, string? cursor, int? limit, CancellationToken ct)
    {
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        if (viewer.IsGuest) return Problem.Forbidden("Guests see only the groups they were invited into.");
        var pinned = await PostTypes.AnnouncementService.PinnedIdsAsync(db, viewer, null, ct);
        var ids = await Roots(viewer, before).Where(p => p.GroupId == null && !pinned.Contains(p.Id))
            .OrderByDescending(p => p.Id).Select(p => p.Id).Take(n + 1).ToListAsync(ct);
        return await MergeAsync(viewer, [ids], n, ct, cursor is null ? pinned : []);
    }

    /// <summary>One group's posts; the caller has checked that the viewer may read the group.</summary>
    public async Task<Outcome<Page<PostDto>>> GroupAsync(Viewer viewer, Group group, string? cursor, int? limit, CancellationToken ct)
    {
        if (group.Kind == GroupKind.Company) return await CompanyAsync(viewer, cursor, limit, ct);
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        var gid = group.Id;
        var pinned = await PostTypes.AnnouncementService.PinnedIdsAsync(db, viewer, gid, ct);
        var ids = await Roots(viewer, before).Where(p => p.GroupId == gid && !pinned.Contains(p.Id))
            .OrderByDescending(p => p.Id).Select(p => p.Id).Take(n + 1).ToListAsync(ct);
        return await MergeAsync(viewer, [ids], n, ct, cursor is null ? pinned : []);
    }

    public async Task<Outcome<Page<PostDto>>> TopicAsync(Viewer viewer, long topicId, string? cursor, int? limit, CancellationToken ct)
    {
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        // Replies that carry the topic belong on its page too: the topic page is about the subject, not the thread.
        var ids = await (from pt in db.PostTopics
                         join p in db.Posts.VisibleTo(viewer) on pt.PostId equals p.Id
                         where pt.TopicId == topicId && pt.PostId < before
                         orderby pt.PostId descending
                         select pt.PostId).Take(n + 1).ToListAsync(ct);
        return await MergeAsync(viewer, [ids], n, ct);
    }

    public async Task<Outcome<Page<PostDto>>> PersonAsync(Viewer viewer, long personId, string? cursor, int? limit, CancellationToken ct)
    {
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        var ids = await Roots(viewer, before).Where(p => p.AuthorId == personId)
            .OrderByDescending(p => p.Id).Select(p => p.Id).Take(n + 1).ToListAsync(ct);
        return await MergeAsync(viewer, [ids], n, ct);
    }

    IQueryable<Post> Roots(Viewer viewer, long before) =>
        db.Posts.VisibleTo(viewer).Where(p => p.ReplyToId == null && p.Id < before);

    /// <summary>
    /// Merges newest-first id lists that were each cut at n+1. Only ids above the highest cut-off of a full list are
    /// certain to be complete, so the page stops there; the cursor continues exactly where the page ended.
    /// <paramref name="pinned"/> posts (a group's pinned announcements, left out of the sources) go on top of the
    /// first page, in addition to its n posts, so pinning never shifts the cursor.
    /// </summary>
    async Task<Page<PostDto>> MergeAsync(Viewer viewer, List<long>[] sources, int n, CancellationToken ct, IReadOnlyList<long>? pinned = null)
    {
        var floor = sources.Where(s => s.Count > n).Select(s => s[^1]).DefaultIfEmpty(long.MinValue).Max();
        var merged = sources.SelectMany(s => s).Where(id => id >= floor).Distinct().OrderByDescending(id => id).ToList();
        var more = merged.Count > n || sources.Any(s => s.Count > n);
        var page = merged.Take(n).ToList();
        var top = pinned ?? [];
        var wanted = top.Concat(page).ToList();
        var posts = await db.Posts.AsNoTracking().Where(p => wanted.Contains(p.Id)).ToListAsync(ct);
        var ordered = posts.Where(p => !top.Contains(p.Id)).OrderByDescending(p => p.Id).ToList();
        ordered.InsertRange(0, top.Select(id => posts.FirstOrDefault(p => p.Id == id)).OfType<Post>());
        var items = await renderer.RenderAsync(ordered, viewer, ct);
        return new Page<PostDto>(items, more && page.Count > 0 ? page[^1].ToString() : null);
    }

    static Outcome<(long Before, int Limit)> Parse(string? cursor, int? limit)
    {
        var n = limit ?? DefaultLimit;
        if (n is < 1 or > MaxLimit) return Problem.BadRequest("limit", $"must be between 1 and {MaxLimit}.");
        if (cursor is null) return (long.MaxValue, n);
        if (!long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c) || c <= 0)
            return Problem.BadRequest("cursor", "is not a cursor this server issued.");
        return (c, n);
    }
}
