using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Feeds;

public sealed record TopicDto(string Tag, int Posts, int Followers, bool FollowedByMe, string Url);

/// <summary>Topic pages, following topics, and trending topics.</summary>
public sealed class TopicService(ChorusDb db, TimeProvider clock, TrendingTopics trending)
{
    public async Task<TopicDto> DescribeAsync(Topic topic, Viewer viewer, CancellationToken ct)
    {
        var posts = await db.PostTopics.Join(db.Posts.VisibleTo(viewer), pt => pt.PostId, p => p.Id, (pt, p) => pt)
            .CountAsync(pt => pt.TopicId == topic.Id, ct);
        var followers = await db.TopicFollows.CountAsync(t => t.TopicId == topic.Id, ct);
        var mine = await db.TopicFollows.AnyAsync(t => t.TopicId == topic.Id && t.PersonId == viewer.Id, ct);
        return new TopicDto(topic.Tag, posts, followers, mine, "/topics/" + Uri.EscapeDataString(topic.TagKey));
    }

    public async Task<bool> FollowAsync(Viewer viewer, Topic topic, bool follow, CancellationToken ct)
    {
        var existing = await db.TopicFollows.FirstOrDefaultAsync(t => t.PersonId == viewer.Id && t.TopicId == topic.Id, ct);
        if (follow && existing is null)
        {
            db.TopicFollows.Add(new TopicFollow { PersonId = viewer.Id, TopicId = topic.Id, CreatedAt = clock.GetUtcNow().UtcDateTime });
            db.Events.Add(new ChangeEvent { Kind = "topic.followed", ActorId = viewer.Id, PersonId = viewer.Id, Data = topic.Id.ToString(), CreatedAt = clock.GetUtcNow().UtcDateTime });
            try { await db.SaveChangesAsync(ct); } catch (DbUpdateException) { /* concurrent identical follow */ }
        }
        else if (!follow && existing is not null)
        {
            db.TopicFollows.Remove(existing);
            db.Events.Add(new ChangeEvent { Kind = "topic.unfollowed", ActorId = viewer.Id, PersonId = viewer.Id, Data = topic.Id.ToString(), CreatedAt = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(ct);
        }
        return follow;
    }

    /// <summary>
    /// Topics used most in the last week (by distinct posts), for the side column. Only posts everyone in the
    /// organization may see count (the post rule, asked for a member of no group): a private group's topics never
    /// trend outside it. Guests see no trends: the organization's topics are not theirs.
    /// </summary>
    /// <summary>The web pages' side column: <see cref="TrendingAsync"/> for <see cref="TrendingTopics.Count"/> topics,
    /// computed at most once a minute on this node and shared (<see cref="TrendingTopics"/>, ADR 016).</summary>
    public Task<IReadOnlyList<(string Tag, string Key, int Posts)>> TrendingForPagesAsync(Viewer viewer, CancellationToken ct) =>
        trending.GetAsync(viewer, c => TrendingAsync(viewer, TrendingTopics.Count, c), ct);

    public async Task<IReadOnlyList<(string Tag, string Key, int Posts)>> TrendingAsync(Viewer viewer, int count, CancellationToken ct)
    {
        if (viewer.IsGuest) return [];
        var since = IdGenerator.FloorAt(clock.GetUtcNow().UtcDateTime.AddDays(-7));
        var rows = await (from pt in db.PostTopics
                          join p in db.Posts.VisibleTo(Viewer.Organization) on pt.PostId equals p.Id
                          where pt.PostId >= since
                          group pt by pt.TopicId into g
                          orderby g.Count() descending
                          select new { g.Key, N = g.Count() }).Take(count).ToListAsync(ct);
        var ids = rows.Select(r => r.Key).ToList();
        var topics = await db.Topics.Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        return rows.Where(r => topics.ContainsKey(r.Key)).Select(r => (topics[r.Key].Tag, topics[r.Key].TagKey, r.N)).ToList();
    }

    public async Task<IReadOnlyList<TopicDto>> FollowedAsync(Viewer viewer, CancellationToken ct) =>
        (await (from tf in db.TopicFollows join t in db.Topics on tf.TopicId equals t.Id
                where tf.PersonId == viewer.Id orderby t.TagKey select t).ToListAsync(ct))
        .Select(t => new TopicDto(t.Tag, 0, 0, true, "/topics/" + Uri.EscapeDataString(t.TagKey))).ToList();
}
