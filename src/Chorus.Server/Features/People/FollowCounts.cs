using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.People;

/// <summary>How many follow a person, and how many they follow, as profiles and the directory show them.</summary>
public readonly record struct FollowCount(int Followers, int Following);

/// <summary>
/// People's follower and following counts, kept in memory (docs/adr/008-read-model.md) and forgotten for both people
/// when a follow commits (<c>follow.created</c>, <c>follow.removed</c>: the follower is the event's person, the one
/// followed its data), on the node that wrote it at once and on every other node when its dispatcher reads the event.
/// Counting at read time read every follow of the people on a page: a directory page of leaders, each followed by
/// 10,000–100,000 people, spent 7–9 ms of its ~20 ms counting (bench/findings.md, eighteenth session).
/// </summary>
public sealed class FollowCounts(ChorusSettings settings) : IChangeObserver, IClearable
{
    public ReadCache<long, FollowCount> Cache { get; } = new(settings.Cache.People, TimeSpan.FromSeconds(settings.Cache.TimeToLiveSeconds));

    /// <summary>The counts of <paramref name="ids"/>: from memory, the rest counted in two queries.</summary>
    public Task<Dictionary<long, FollowCount>> GetAsync(ChorusDb db, IEnumerable<long> ids, CancellationToken ct) =>
        Cache.GetManyAsync(ids, async (missing, ct) =>
        {
            var wanted = missing.ToArray();
            var followers = await db.Follows.Where(f => wanted.Contains(f.FolloweeId)).GroupBy(f => f.FolloweeId)
                .Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
            var following = await db.Follows.Where(f => wanted.Contains(f.FollowerId)).GroupBy(f => f.FollowerId)
                .Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
            // Everyone asked for gets counts, zeros included, so someone nobody follows is not counted again each time.
            return wanted.ToDictionary(id => id, id => new FollowCount(followers.GetValueOrDefault(id), following.GetValueOrDefault(id)));
        }, ct);

    public void Apply(IReadOnlyList<CommittedChange> changes)
    {
        foreach (var c in changes)
        {
            if (c.Kind is not ("follow.created" or "follow.removed")) continue;
            Cache.Invalidate(c.Event.PersonId ?? c.Event.ActorId);
            if (long.TryParse(c.Event.Data, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var followed))
                Cache.Invalidate(followed);
            else
                // Not a person's id: which count changed is unknown, so none is trusted.
                Cache.Clear();
        }
    }

    public void Clear() => Cache.Clear();
}
