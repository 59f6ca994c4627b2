using Chorus.Server.Data;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Groups;

/// <summary>
/// The group a post shows it lives in (<see cref="GroupRef"/>: name, kind), kept in memory (docs/adr/008-read-model.md)
/// and forgotten when the group changes (<c>group.updated</c>, which renames, kind changes and deletion record).
/// </summary>
public sealed class GroupCards(ChorusSettings settings) : IChangeObserver, IClearable
{
    readonly ReadCache<long, GroupRef> _cache = new(settings.Cache.People, TimeSpan.FromSeconds(settings.Cache.TimeToLiveSeconds));

    public static GroupRef Of(Group g) => new(g.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), g.Name, GroupRules.KindName(g.Kind), $"/groups/{g.Id}");

    /// <summary>Cards from memory; the missing ones in one query, on the request's context (rented only then: a warm
    /// feed page renting a context it never uses was ~1% of its CPU).</summary>
    public Task<Dictionary<long, GroupRef>> GetAsync(RequestDb requestDb, IEnumerable<long> ids, CancellationToken ct) =>
        _cache.GetManyAsync(ids, async (missing, ct) =>
        {
            var wanted = missing.ToArray();
            return await requestDb.Context.Groups.AsNoTracking().Where(g => wanted.Contains(g.Id)).ToDictionaryAsync(g => g.Id, Of, ct);
        }, ct);

    public void Apply(IReadOnlyList<CommittedChange> changes)
    {
        foreach (var c in changes)
            if (c.Kind == "group.updated" && long.TryParse(c.Event.Data, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                _cache.Invalidate(id);
    }

    public void Clear() => _cache.Clear();
}
