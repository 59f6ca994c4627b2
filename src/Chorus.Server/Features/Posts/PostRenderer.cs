using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Posts;

/// <summary>Posts → API JSON for one viewer, in batches: a fixed number of queries per page, never one per post.</summary>
public sealed class PostRenderer(ChorusDb db, PersonRenderer people, IEnumerable<IPostDetails> details)
{
    public async Task<IReadOnlyList<PostDto>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct)
    {
        if (posts.Count == 0) return [];

        // Shared originals are rendered too, but only if the viewer may see them (a share never widens an audience).
        var sharedIds = posts.Where(p => p.ShareOfId is not null).Select(p => p.ShareOfId!.Value).Distinct().ToList();
        var shared = sharedIds.Count == 0 ? [] :
            await db.Posts.AsNoTracking().VisibleTo(viewer).Where(p => sharedIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);

        var all = posts.Concat(shared.Values).DistinctBy(p => p.Id).ToList();
        var ids = all.Select(p => p.Id).ToList();
        var authors = await people.SummariesAsync(all.Select(p => p.AuthorId), ct);
        // Counts and the viewer's own reactions in one grouped statement, reply and share counts in another, topics and
        // mentions in a third: each statement costs a parse and a round trip, and a feed page renders on every read.
        var me = viewer.Id;
        var reactions = await db.Reactions.Where(r => ids.Contains(r.PostId)).GroupBy(r => new { r.PostId, r.Kind })
            .Select(g => new { g.Key.PostId, g.Key.Kind, N = g.Count(), Mine = g.Max(r => r.PersonId == me ? 1 : 0) }).ToListAsync(ct);
        var reactionCounts = reactions.ToLookup(x => x.PostId);
        var mine = reactions.Where(x => x.Mine == 1).ToLookup(x => x.PostId, x => x.Kind);
        var answers = await db.Posts.VisibleTo(viewer)
            .Where(p => (p.ReplyToId != null && ids.Contains(p.ReplyToId.Value)) || (p.ShareOfId != null && ids.Contains(p.ShareOfId.Value)))
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
                            where ids.Contains(pt.PostId) select new { pt.PostId, Tag = (string?)t.Tag, Handle = (string?)null })
            .Concat(from m in db.PostMentions join p in db.People on m.PersonId equals p.Id
                    where ids.Contains(m.PostId) select new { m.PostId, Tag = (string?)null, Handle = (string?)p.Handle })
            .ToListAsync(ct);
        var topics = labels.Where(x => x.Tag is not null).ToLookup(x => x.PostId, x => x.Tag!);
        var mentions = labels.Where(x => x.Handle is not null).ToLookup(x => x.PostId, x => x.Handle!);

        var groupIds = all.Where(p => p.GroupId is not null).Select(p => p.GroupId!.Value).Distinct().ToList();
        var groups = groupIds.Count == 0 ? [] :
            await db.Groups.AsNoTracking().Where(g => groupIds.Contains(g.Id))
                .ToDictionaryAsync(g => g.Id, g => new GroupRef(g.Id.ToString(), g.Name, Groups.GroupRules.KindName(g.Kind), $"/groups/{g.Id}"), ct);
        var extra = new Dictionary<long, object>();
        foreach (var renderer in details)
        {
            var ofKind = all.Where(p => p.Kind == renderer.Kind).ToList();
            if (ofKind.Count == 0) continue;
            foreach (var (id, value) in await renderer.RenderAsync(ofKind, viewer, ct)) extra[id] = value;
        }

        PostDto One(Post p, bool nested)
        {
            PostDto? sharedDto = null;
            if (!nested && p.ShareOfId is { } s && shared.TryGetValue(s, out var original)) sharedDto = One(original, nested: true);
            var author = authors.TryGetValue(p.AuthorId, out var a) ? a : new PersonSummary(p.AuthorId.ToString(), "unknown", "Unknown", null, null, null, false);
            return new PostDto(
                p.Id.ToString(), author, p.Text, p.Html, p.CreatedAt, p.EditedAt,
                p.ReplyToId?.ToString(), p.RootId.ToString(), sharedDto,
                replies.GetValueOrDefault(p.Id), shares.GetValueOrDefault(p.Id),
                reactionCounts[p.Id].OrderBy(r => IndexOf(r.Kind)).ToDictionary(r => r.Kind, r => r.N),
                mine[p.Id].OrderBy(IndexOf).ToList(), topics[p.Id].ToList(), mentions[p.Id].ToList(),
                $"/posts/{p.Id}", p.AuthorId == viewer.Id,
                p.Kind, p.GroupId is { } g && groups.TryGetValue(g, out var group) ? group : null, extra.GetValueOrDefault(p.Id));
        }

        return posts.Select(p => One(p, nested: false)).ToList();
    }

    static int IndexOf(string kind)
    {
        for (var i = 0; i < Reactions.All.Count; i++) if (Reactions.All[i].Name == kind) return i;
        return int.MaxValue;
    }
}
