using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Posts;

/// <summary>
/// Posts → API JSON for one viewer, in batches. The parts every reader sees alike come from <see cref="PostViews"/>
/// (memory; the misses of a page in a fixed number of queries, never one per post); the reader's own parts — their
/// reactions, whether they may edit, the kind details (a poll's own vote) — are added per reader.
/// </summary>
public sealed class PostRenderer(RequestDb requestDb, PersonRenderer people, PostViews views, GroupCards groupCards, IServiceProvider services)
{
    ChorusDb db => requestDb.Context;

    static readonly PersonSummary Unknown = new("0", "unknown", "Unknown", null, null, null, false);

    public async Task<IReadOnlyList<PostDto>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct)
    {
        if (posts.Count == 0) return [];
        var loaded = await ViewsAsync([.. posts.Select(p => p.Id)], ct);
        // A post deleted between the caller's read and this one is left out.
        return await RenderAsync([.. posts.Where(p => loaded.ContainsKey(p.Id)).Select(p => loaded[p.Id])], viewer, ct);
    }

    /// <summary>Renders views (from <see cref="ViewsAsync"/>) the viewer may see; the caller has checked that.</summary>
    public async Task<IReadOnlyList<PostDto>> RenderAsync(IReadOnlyList<PostView> page, Viewer viewer, CancellationToken ct)
    {
        if (page.Count == 0) return [];
        // A feed page runs this for every read: plain loops, and the optional parts only when the page has them.
        List<long>? sharedIds = null;
        bool grouped = false, special = false;
        foreach (var v in page)
        {
            if (v.Post.ShareOfId is { } s) (sharedIds ??= []).Add(s);
            grouped |= v.Post.GroupId is not null;
            special |= v.Post.Kind != PostKinds.Post;
        }
        // Shared originals are rendered too, but only if the viewer may see them (a share never widens an audience).
        var shared = sharedIds is null ? null : await ViewsAsync(sharedIds, ct);
        var all = page;
        if (shared is not null)
        {
            var more = new List<PostView>(page);
            foreach (var v in shared.Values)
            {
                if (!viewer.CanSee(v.Post)) continue;
                more.Add(v);
                grouped |= v.Post.GroupId is not null;
                special |= v.Post.Kind != PostKinds.Post;
            }
            all = more;
        }
        var authorIds = new long[all.Count];
        for (var i = 0; i < all.Count; i++) authorIds[i] = all[i].Post.AuthorId;
        var authors = await people.SummariesAsync(authorIds, ct);
        var groups = grouped
            ? await groupCards.GetAsync(requestDb, all.Where(v => v.Post.GroupId is not null).Select(v => v.Post.GroupId!.Value), ct)
            : null;
        Dictionary<long, object>? extra = null;
        // The kinds' renderers are made only for a page that has such posts (most pages: none).
        if (special)
            foreach (var renderer in services.GetServices<IPostDetails>())
            {
                var ofKind = all.Where(v => v.Post.Kind == renderer.Kind).DistinctBy(v => v.Post.Id).Select(v => v.Post).ToList();
                if (ofKind.Count == 0) continue;
                foreach (var (id, value) in await renderer.RenderAsync(ofKind, viewer, ct)) (extra ??= [])[id] = value;
            }

        PostDto One(PostView v, bool nested)
        {
            var p = v.Post;
            PostDto? sharedDto = null;
            if (!nested && p.ShareOfId is { } s && shared!.TryGetValue(s, out var original) && viewer.CanSee(original.Post)) sharedDto = One(original, nested: true);
            return v.Neutral with
            {
                Author = authors.TryGetValue(p.AuthorId, out var a) ? a : Unknown with { Id = p.AuthorId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                SharedPost = sharedDto,
                MyReactions = v.ReactionsOf(viewer.Id),
                CanEdit = p.AuthorId == viewer.Id,
                Group = p.GroupId is { } g && groups is not null && groups.TryGetValue(g, out var group) ? group : null,
                Details = extra?.GetValueOrDefault(p.Id),
            };
        }

        var result = new PostDto[page.Count];
        for (var i = 0; i < page.Count; i++) result[i] = One(page[i], nested: false);
        return result;
    }

    /// <summary>
    /// The views of these posts that this node has in memory, into <paramref name="found"/> (null where it has none), with
    /// one reading of the clock and of the cache's counters for all of them (per post, the counters' cache line went back
    /// and forth between the cores on every feed read); the ids it lacks, or null.
    /// </summary>
    public List<long>? TryViews(IReadOnlyList<long> ids, PostView?[] found)
    {
        Span<bool> hit = ids.Count <= 256 ? stackalloc bool[ids.Count] : new bool[ids.Count];
        // The cache writes null where it misses; the cast only tells the compiler so (same array, same type at run time).
        views.Cache.TryGetMany(ids, System.Runtime.CompilerServices.Unsafe.As<PostView[]>(found), hit);
        List<long>? missing = null;
        for (var i = 0; i < ids.Count; i++)
            if (!hit[i]) (missing ??= []).Add(ids[i]);
        return missing;
    }

    /// <summary>
    /// The views of these posts (those that exist), from memory where the node has them; the rest are loaded in one
    /// batch: the rows, reactions, reply and share counts, topics and mentions. The rows are read here, after the
    /// cache stamped the keys, never taken from the caller: a row read before the stamp could predate a change whose
    /// invalidation the stamp no longer sees.
    /// </summary>
    public Task<Dictionary<long, PostView>> ViewsAsync(IReadOnlyCollection<long> ids, CancellationToken ct) =>
        views.Cache.GetManyAsync(ids, LoadAsync, ct);

    async Task<Dictionary<long, PostView>> LoadAsync(IReadOnlyList<long> missing, CancellationToken ct)
    {
        var ids = missing.ToArray();
        var posts = await db.Posts.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(ct);
        if (posts.Count == 0) return [];
        var reactions = await db.Reactions.AsNoTracking().Where(r => ids.Contains(r.PostId))
            .Select(r => new { r.PostId, r.PersonId, r.Kind }).ToListAsync(ct);
        var byPost = reactions.ToLookup(r => r.PostId);
        // Replies and shares have their thread's or original's audience (PostService), so everyone who may see a post may
        // see every reply and share of it that is not deleted: the counts are the same for all its readers.
        var answers = await db.Posts.Where(p => p.DeletedAt == null &&
                ((p.ReplyToId != null && ids.Contains(p.ReplyToId.Value)) || (p.ShareOfId != null && ids.Contains(p.ShareOfId.Value))))
            .GroupBy(p => new { p.ReplyToId, p.ShareOfId }).Select(g => new { g.Key.ReplyToId, g.Key.ShareOfId, N = g.Count() }).ToListAsync(ct);
        var idSet = ids.ToHashSet();
        var replies = new Dictionary<long, int>();
        var shares = new Dictionary<long, int>();
        foreach (var a in answers)
        {
            if (a.ReplyToId is { } r && idSet.Contains(r)) replies[r] = replies.GetValueOrDefault(r) + a.N;
            if (a.ShareOfId is { } s && idSet.Contains(s)) shares[s] = shares.GetValueOrDefault(s) + a.N;
        }
        var labels = await (from pt in db.PostTopics join t in db.Topics on pt.TopicId equals t.Id
                            where ids.Contains(pt.PostId) select new { pt.PostId, Key = t.Id, Tag = (string?)t.Tag, Handle = (string?)null })
            .Concat(from m in db.PostMentions join p in db.People on m.PersonId equals p.Id
                    where ids.Contains(m.PostId) select new { m.PostId, Key = p.Id, Tag = (string?)null, Handle = (string?)p.Handle })
            .ToListAsync(ct);
        // Topics and mentions in id order (topics: first use; people: joined), the order a new post's view has too.
        labels.Sort((a, b) => a.Key.CompareTo(b.Key));
        var topics = labels.Where(x => x.Tag is not null).ToLookup(x => x.PostId, x => x.Tag!);
        var mentions = labels.Where(x => x.Handle is not null).ToLookup(x => x.PostId, x => x.Handle!);

        var result = new Dictionary<long, PostView>(posts.Count);
        foreach (var p in posts)
        {
            var mine = byPost[p.Id].Select(r => (r.PersonId, Kind: (byte)IndexOf(r.Kind))).Where(r => r.Kind != byte.MaxValue)
                .OrderBy(r => r.PersonId).ThenBy(r => r.Kind).ToArray();
            result[p.Id] = View(p, replies.GetValueOrDefault(p.Id), shares.GetValueOrDefault(p.Id), mine, topics[p.Id].ToArray(), mentions[p.Id].ToArray());
        }
        return result;
    }

    static IReadOnlyList<string> Compact(IReadOnlyList<string> list) => list.Count == 0 ? [] : list as string[] ?? list.ToArray();

    /// <summary>The view of a post just written: no reactions, replies or shares yet; its topics and mentions as written.</summary>
    public static PostView NewView(Post p, IReadOnlyList<TopicRef> topics, IReadOnlyList<string> mentions) =>
        View(p, 0, 0, [], topics.OrderBy(t => t.Id).Select(t => t.Tag).ToArray(), mentions);

    static PostView View(Post p, int replies, int shares, (long PersonId, byte Kind)[] reactors, IReadOnlyList<string> topics, IReadOnlyList<string> mentions)
    {
        // Every new post's view stays in the cache (and is moved into the old generation): what it holds once per post, it
        // holds once. No reactions share one empty table; a thread's first post is its own root.
        IReadOnlyDictionary<string, int> counts = System.Collections.ObjectModel.ReadOnlyDictionary<string, int>.Empty;
        if (reactors.Length > 0)
        {
            var tally = new Dictionary<string, int>();
            foreach (var group in reactors.GroupBy(r => r.Kind).OrderBy(g => g.Key)) tally[Reactions.All[group.Key].Name] = group.Count();
            counts = tally;
        }
        // Topics and mentions as arrays: most posts have none (one shared empty array), and an array is one object where
        // a list built from a query is two (the list and the read-only wrapper a collection expression makes around it).
        topics = Compact(topics);
        mentions = Compact(mentions);
        var id = p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var neutral = new PostDto(
            id, Unknown, p.Text, p.Html, p.CreatedAt, p.EditedAt,
            p.ReplyToId?.ToString(System.Globalization.CultureInfo.InvariantCulture), p.RootId == p.Id ? id : p.RootId.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            replies, shares, counts, [], topics, mentions, PostDto.UrlOf(id), false, p.Kind);
        neutral = neutral.WithEncoded();
        // A copy of the row: the caller's entity may be tracked and changed later; the cache's must not be. Without its
        // text and HTML: they are kept once, in the neutral JSON (see PostView.Post).
        var row = new Post
        {
            Id = p.Id, AuthorId = p.AuthorId, Text = "", Html = "", ReplyToId = p.ReplyToId, RootId = p.RootId, ShareOfId = p.ShareOfId,
            GroupId = p.GroupId, MembersOnly = p.MembersOnly, Kind = p.Kind, CreatedAt = p.CreatedAt, EditedAt = p.EditedAt, DeletedAt = p.DeletedAt,
        };
        return new PostView(row, neutral, [.. reactors.Select(r => r.PersonId)], [.. reactors.Select(r => r.Kind)]);
    }

    static int IndexOf(string kind)
    {
        for (var i = 0; i < Reactions.All.Count; i++) if (Reactions.All[i].Name == kind) return i;
        return byte.MaxValue;
    }
}
