using Chorus.Server.Data;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// A change event that committed, as the in-memory read caches need it: the event, and for events about a post the
/// post row (when the writer or the dispatcher has it) and its topics. <see cref="Post"/> may be null; then only
/// <see cref="ChangeEvent.PostId"/> is known, and observers must invalidate by what they can tell from the event.
/// </summary>
public sealed record CommittedChange(ChangeEvent Event, Post? Post, IReadOnlyList<long> TopicIds)
{
    public string Kind => Event.Kind;
}

/// <summary>An in-memory read model that forgets what a committed change made stale (docs/adr/008-read-model.md).</summary>
public interface IChangeObserver
{
    /// <summary>Called after commit: at once on the node that wrote the change, and again (harmlessly) on every node
    /// when its event dispatcher reads the change from the event table. Must be cheap and must not throw.</summary>
    void Apply(IReadOnlyList<CommittedChange> changes);
}

/// <summary>All the read models of the process; the write path and the dispatcher tell them what committed.</summary>
public sealed class ChangeObservers(IEnumerable<IChangeObserver> observers, ILogger<ChangeObservers> log)
{
    readonly IChangeObserver[] _observers = [.. observers];

    public void Apply(IReadOnlyList<CommittedChange> changes)
    {
        if (changes.Count == 0) return;
        foreach (var observer in _observers)
        {
            try { observer.Apply(changes); }
            catch (Exception e)
            {
                // A cache that failed to forget could serve stale data: drop everything rather than carry on.
                log.LogError(e, "A read model failed to apply committed changes; clearing the read models");
                foreach (var o in _observers) (o as IClearable)?.Clear();
            }
        }
    }
}

/// <summary>A read model that can forget everything at once.</summary>
public interface IClearable
{
    void Clear();
}
