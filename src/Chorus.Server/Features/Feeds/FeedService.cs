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

    /// <summary>Well below SQLite's limit of 500 terms in a compound SELECT.</summary>
    const int TopicsPerStatement = 50;

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
        // A page runs a dozen or more statements; holding one connection for all of them saves a pool round trip each.
        await db.Database.OpenConnectionAsync(ct);
        var followedTopics = await db.TopicFollows.Where(t => t.PersonId == me).Select(t => t.TopicId).ToListAsync(ct);
        var homeGroups = await db.GroupMembers.Where(m => m.PersonId == me && m.State == MembershipState.Member && m.ShowInHome)
            .Select(m => m.GroupId).ToListAsync(ct);

        var sources = new List<FeedSource>(followedTopics.Count + homeGroups.Count + 1) { await PeopleAsync(viewer, before, n, ct) };
        // Each followed topic walks its own (topic_id, post_id) key newest-first and stops at n+1, while "topic IN (…)"
        // had to collect and sort every post of every followed topic (98 ms instead of < 1 ms for a user following a
        // popular topic on the 100,000-person data set, docs/benchmarks.md). The per-topic walks go to the database
        // together, as one UNION ALL statement per chunk of topics, and are split by topic here; MergeAsync cuts each.
        foreach (var chunk in followedTopics.Chunk(TopicsPerStatement))
        {
            var rows = await chunk.Select(topic => (from pt in db.PostTopics
                                                    join p in Roots(viewer, before) on pt.PostId equals p.Id
                                                    where pt.TopicId == topic
                                                    orderby pt.PostId descending
                                                    select new { pt.TopicId, pt.PostId }).Take(n + 1))
                .Aggregate((all, one) => all.Concat(one)).ToListAsync(ct);
            foreach (var topic in chunk)
                sources.Add(FeedSource.Cut([.. rows.Where(r => r.TopicId == topic).Select(r => r.PostId).OrderDescending()], n));
        }
        // One query per group for the same reason: each walks ix_posts_group newest-first and stops at n+1.
        foreach (var group in homeGroups)
            sources.Add(FeedSource.Cut(await Roots(viewer, before).Where(p => p.GroupId == group)
                .OrderByDescending(p => p.Id).Select(p => p.Id).Take(n + 1).ToListAsync(ct), n));
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
    /// Your own and your followees' thread roots, newest first, as a list that is exact above its floor.
    /// <para>"Every followee's posts in the window, sorted, then cut" read every post of every followee since the
    /// cursor (~5 ms for ~100 followees at 10,000 people, bench/findings.md W2). A top-k instead: the floor is the
    /// highest of each author's (n+1)-th newest candidate, so no author contributes more than n+1 rows above it and
    /// the feed query walks only those. Candidates are roots that are not deleted (the shape of ix_posts_feed), not
    /// filtered by audience: the visible posts come from the ordinary <see cref="PostVisibility.VisibleTo"/> query
    /// above the floor, so the rule stays in one place. Because candidates the viewer may not see still count towards
    /// an author's n+1, the floor can leave fewer than n+1 visible posts above it; then the next slice below the floor
    /// is read, a few times at most, and the list otherwise ends at the floor (exact above it, see MergeAsync).</para>
    /// </summary>
    async Task<FeedSource> PeopleAsync(Viewer viewer, long before, int n, CancellationToken ct)
    {
        const int MaxSlices = 4;
        var me = viewer.Id;
        var authors = db.People.Where(p => p.Id == me).Select(p => p.Id)
            .Concat(db.Follows.Where(f => f.FollowerId == me).Select(f => f.FolloweeId));
        var found = new List<long>(n + 1);
        for (var slice = 1; ; slice++)
        {
            var upper = before;
            var floor = await authors.Select(a => db.Posts
                    .Where(q => q.AuthorId == a && q.ReplyToId == null && q.DeletedAt == null && q.Id < upper)
                    .OrderByDescending(q => q.Id).Skip(n).Select(q => (long?)q.Id).FirstOrDefault())
                .MaxAsync(ct);
            var lowest = floor ?? long.MinValue;
            found.AddRange(await Roots(viewer, upper)
                .Where(p => p.Id >= lowest && authors.Contains(p.AuthorId))
                .OrderByDescending(p => p.Id).Select(p => p.Id).Take(n + 1 - found.Count).ToListAsync(ct));
            if (found.Count > n) return new FeedSource(found, found[^1]);
            if (floor is null) return new FeedSource(found, null);
            if (slice == MaxSlices) return new FeedSource(found, floor);
            before = floor.Value;
        }
    }

    /// <summary>A newest-first id list that is complete for ids at or above <paramref name="Floor"/> (null: complete).</summary>
    sealed record FeedSource(List<long> Ids, long? Floor)
    {
        /// <summary>A list read with Take(n + 1): n+1 ids mean more may follow below the last one.</summary>
        public static FeedSource Cut(List<long> ids, int n) => new(ids, ids.Count > n ? ids[^1] : null);
    }

    Task<Page<PostDto>> MergeAsync(Viewer viewer, List<long>[] sources, int n, CancellationToken ct, IReadOnlyList<long>? pinned = null) =>
        MergeAsync(viewer, [.. sources.Select(s => FeedSource.Cut(s, n))], n, ct, pinned);

    /// <summary>
    /// Merges newest-first id lists that are each exact above their floor. Only ids at or above the highest floor are
    /// certain to be complete, so the page stops there; the cursor continues exactly where the page ended (at the
    /// floor itself when nothing visible lay above it). <paramref name="pinned"/> posts (a group's pinned
    /// announcements, left out of the sources) go on top of the first page, in addition to its n posts, so pinning
    /// never shifts the cursor.
    /// </summary>
    async Task<Page<PostDto>> MergeAsync(Viewer viewer, FeedSource[] sources, int n, CancellationToken ct, IReadOnlyList<long>? pinned = null)
    {
        var floor = sources.Select(s => s.Floor ?? long.MinValue).DefaultIfEmpty(long.MinValue).Max();
        var merged = sources.SelectMany(s => s.Ids).Where(id => id >= floor).Distinct().OrderByDescending(id => id).ToList();
        var more = merged.Count > n || sources.Any(s => s.Floor is not null);
        var page = merged.Take(n).ToList();
        var top = pinned ?? [];
        var wanted = top.Concat(page).ToList();
        var posts = wanted.Count == 0 ? [] : await db.Posts.AsNoTracking().Where(p => wanted.Contains(p.Id)).ToListAsync(ct);
        var ordered = posts.Where(p => !top.Contains(p.Id)).OrderByDescending(p => p.Id).ToList();
        ordered.InsertRange(0, top.Select(id => posts.FirstOrDefault(p => p.Id == id)).OfType<Post>());
        var items = await renderer.RenderAsync(ordered, viewer, ct);
        long? next = !more ? null : page.Count > 0 ? page[^1] : floor;
        return new Page<PostDto>(items, next?.ToString());
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
