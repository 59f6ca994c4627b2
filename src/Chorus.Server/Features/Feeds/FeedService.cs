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
/// Feeds list thread roots and shares, newest first; replies live in threads (and on topic pages).
/// <para>A feed is a merge of sources (an author's roots, a topic's, a group's), newest first. Each source's newest ids
/// and each reader's follows come from the node's memory (<see cref="FeedSources"/>, ADR 008), the posts from
/// <see cref="PostViews"/>; every candidate passes the one visibility rule (<see cref="PostVisibility.CanSee"/>) on the
/// post's current view before it is shown. A warm page therefore runs no SQL at all; a source read past what memory
/// holds is read from the database, a chunk at a time.</para>
/// </summary>
public sealed class FeedService(RequestDb requestDb, PostRenderer renderer, FeedSources memory)
{
    ChorusDb db => requestDb.Context;

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
        var home = await memory.Follows.GetOrLoadAsync(viewer.Id, HomeSourcesAsync, ct);
        return await AssembleAsync(viewer, home.Keys, before, n, [], ct, hints: home.Hints);
    }

    async Task<HomeSources> HomeSourcesAsync(long me, CancellationToken ct)
    {
        var people = await db.Follows.Where(f => f.FollowerId == me).Select(f => f.FolloweeId).ToListAsync(ct);
        var topics = await db.TopicFollows.Where(t => t.PersonId == me).Select(t => t.TopicId).ToListAsync(ct);
        var groups = await db.GroupMembers.Where(m => m.PersonId == me && m.State == MembershipState.Member && m.ShowInHome).Select(m => m.GroupId).ToListAsync(ct);
        return new HomeSources([
            new(SourceKind.Author, me),
            .. people.Select(p => new SourceKey(SourceKind.Author, p)),
            .. topics.Select(t => new SourceKey(SourceKind.TopicRoots, t)),
            .. groups.Select(g => new SourceKey(SourceKind.Group, g))]);
    }

    /// <summary>The all-company group's posts: the stream everyone in the organization shares. Guests have none.</summary>
    public async Task<Outcome<Page<PostDto>>> CompanyAsync(Viewer viewer, string? cursor, int? limit, CancellationToken ct)
    {
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        if (viewer.IsGuest) return Problem.Forbidden("Guests see only the groups they were invited into.");
        var pinned = await PostTypes.AnnouncementService.PinnedIdsAsync(db, viewer, null, ct);
        return await AssembleAsync(viewer, [SourceKey.Company], before, n, pinned, ct, top: cursor is null);
    }

    /// <summary>One group's posts; the caller has checked that the viewer may read the group.</summary>
    public async Task<Outcome<Page<PostDto>>> GroupAsync(Viewer viewer, Group group, string? cursor, int? limit, CancellationToken ct)
    {
        if (group.Kind == GroupKind.Company) return await CompanyAsync(viewer, cursor, limit, ct);
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        var pinned = await PostTypes.AnnouncementService.PinnedIdsAsync(db, viewer, group.Id, ct);
        return await AssembleAsync(viewer, [new(SourceKind.Group, group.Id)], before, n, pinned, ct, top: cursor is null);
    }

    /// <summary>A topic's posts. Replies that carry the topic belong on its page too: the topic page is about the subject, not the thread.</summary>
    public async Task<Outcome<Page<PostDto>>> TopicAsync(Viewer viewer, long topicId, string? cursor, int? limit, CancellationToken ct)
    {
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        return await AssembleAsync(viewer, [new(SourceKind.Topic, topicId)], before, n, [], ct);
    }

    public async Task<Outcome<Page<PostDto>>> PersonAsync(Viewer viewer, long personId, string? cursor, int? limit, CancellationToken ct)
    {
        var args = Parse(cursor, limit);
        if (!args.Ok) return args.Problem!;
        var (before, n) = args.Value;
        return await AssembleAsync(viewer, [new(SourceKind.Author, personId)], before, n, [], ct);
    }

    /// <summary>Candidates examined per item a page asks for, at most (see <see cref="AssembleAsync"/>).</summary>
    public const int MaxExaminedPerItem = 50;

    /// <summary>
    /// The newest <paramref name="n"/> posts below <paramref name="before"/> that the viewer may see, merged from the
    /// sources, and a cursor when more follow. <paramref name="pinned"/> posts (a group's pinned announcements) are left
    /// out of the merge and, when <paramref name="top"/>, go above the first page in addition to its n posts, so pinning
    /// never shifts the cursor.
    /// </summary>
    async Task<Page<PostDto>> AssembleAsync(Viewer viewer, IReadOnlyList<SourceKey> keys, long before, int n, IReadOnlyList<long> pinned, CancellationToken ct,
        bool top = false, ReadCache<SourceKey, SourceList>.Entry?[]? hints = null)
    {
        var merge = new FeedMerge(await OpenAsync(keys, hints, before, ct), before);
        var shown = new List<PostView>(n + 1);
        var skip = pinned.Count == 0 ? null : pinned.ToHashSet();
        FeedMerge.ReadMore more = ReadMoreAsync;
        // Work per page is bounded even when few candidates are visible to this viewer (a person's feed of posts in
        // groups the viewer is not in): past the bound the page ends short, its cursor where the examining stopped.
        var budget = MaxExaminedPerItem * (n + 1);
        long? stoppedAt = null;
        while (shown.Count <= n)
        {
            if (budget <= 0)
            {
                stoppedAt = merge.LastId;
                break;
            }
            // Candidates in batches a little larger than what is still needed: most are visible, and each batch's views
            // that are not in memory are loaded together.
            var batch = await merge.NextAsync(n + 1 - shown.Count + 4, more, ct);
            if (batch.Count == 0) break;
            budget -= batch.Count;
            // Views from memory; the ones memory lacks in one load (a warm page allocates no lookup table).
            var views = new PostView?[batch.Count];
            var missing = renderer.TryViews(batch, views);
            if (missing is not null)
            {
                var loaded = await renderer.ViewsAsync(missing, ct);
                for (var i = 0; i < batch.Count; i++) views[i] ??= loaded.GetValueOrDefault(batch[i]);
            }
            foreach (var view in views)
                if (view is not null && viewer.CanSee(view.Post) && skip?.Contains(view.Post.Id) != true && shown.Count <= n)
                    shown.Add(view);
        }
        var hasMore = shown.Count > n;
        if (hasMore) shown.RemoveAt(n);
        if (top && pinned.Count > 0)
        {
            var pins = await renderer.ViewsAsync(pinned, ct);
            shown.InsertRange(0, pinned.Select(id => pins.GetValueOrDefault(id)).OfType<PostView>().Where(v => viewer.CanSee(v.Post)));
        }
        var items = await renderer.RenderAsync(shown, viewer, ct);
        var next = hasMore ? shown[^1].Post.Id : stoppedAt;
        return new Page<PostDto>(items, next?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Each source's remembered ids below the cursor, loading the lists memory lacks together. A source that is complete
    /// and has nothing below the cursor is left out: a reader following a hundred people merges only those with posts
    /// on the page's side of the cursor. With <paramref name="hints"/> (a home feed's, kept with its sources), lists
    /// whose entries are still current are read without a lookup.
    /// </summary>
    async Task<List<FeedMerge.Source>> OpenAsync(IReadOnlyList<SourceKey> keys, ReadCache<SourceKey, SourceList>.Entry?[]? hints, long before, CancellationToken ct)
    {
        var sources = new List<FeedMerge.Source>(keys.Count);
        List<SourceKey>? missing = null;
        var lists = System.Buffers.ArrayPool<SourceList>.Shared.Rent(keys.Count);
        var found = System.Buffers.ArrayPool<bool>.Shared.Rent(keys.Count);
        try
        {
            if (hints is null) memory.Lists.TryGetMany(keys, lists, found);
            else memory.Lists.TryGetMany(keys, hints, lists, found);
            for (var i = 0; i < keys.Count; i++)
            {
                if (found[i]) Add(keys[i], lists[i]);
                else (missing ??= []).Add(keys[i]);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<SourceList>.Shared.Return(lists, clearArray: true);
            System.Buffers.ArrayPool<bool>.Shared.Return(found);
        }
        if (missing is not null)
            foreach (var (key, list) in await memory.Lists.GetManyAsync(missing, async (missing, ct) =>
                         (await FeedSources.ReadAsync(db, missing, long.MaxValue, FeedSources.Depth, ct))
                         .ToDictionary(x => x.Key, x => new SourceList([.. x.Value], x.Value.Count < FeedSources.Depth)), ct))
                Add(key, list);
        return sources;

        void Add(SourceKey key, SourceList list)
        {
            // A first page, or a source with nothing as new as the cursor, starts at the list's newest id, known from
            // the entry: the ids themselves are read only if the source reaches the page.
            var at = list.Count == 0 || list.Newest < before ? 0 : FeedMerge.Below(list.Ids, before);
            if (list.Complete && at == list.Count) return;
            // The remembered ids below the cursor; past them, the database (unless the list is the whole source).
            long? next = list.Complete ? null : Math.Min(before, list.Count > 0 ? list.Oldest : before);
            sources.Add(new FeedMerge.Source(key, list.Ids, list.Count, at, at == 0 ? list.Newest : at < list.Count ? list.Ids[at] : 0, next));
        }
    }

    async Task<(long[] Ids, long? Next)> ReadMoreAsync(SourceKey key, long below, CancellationToken ct)
    {
        var ids = (await FeedSources.ReadAsync(db, [key], below, FeedSources.Depth, ct))[key];
        return ([.. ids], ids.Count < FeedSources.Depth ? null : ids[^1]);
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
