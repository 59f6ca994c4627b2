using Chorus.Server.Data;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.People;

/// <summary>
/// People's name cards (<see cref="PersonSummary"/>: name, title, photo, active) as every post shows its author, kept in
/// memory (docs/adr/008-read-model.md) and forgotten when the person changes (<c>person.updated</c>,
/// <c>person.deactivated</c>).
/// </summary>
public sealed class PersonCards(ChorusSettings settings) : IChangeObserver, IClearable
{
    public ReadCache<long, PersonSummary> Cache { get; } = new(settings.Cache.People, TimeSpan.FromSeconds(settings.Cache.TimeToLiveSeconds));

    public void Apply(IReadOnlyList<CommittedChange> changes)
    {
        foreach (var c in changes)
            if (c.Kind is "person.updated" or "person.deactivated" && c.Event.PersonId is { } id) Cache.Invalidate(id);
    }

    public void Clear() => Cache.Clear();
}
