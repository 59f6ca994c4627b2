using System.Data.Common;
using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// An in-process wake-up for a background loop that also polls: raised any number of times, it wakes one wait, and a
/// missed signal only delays the work until the next poll.
/// </summary>
public class WakeSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public virtual void Raise()
    {
        try { if (_signal.CurrentCount == 0) _signal.Release(); }
        catch (SemaphoreFullException) { /* already raised */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Wakes the event dispatcher: set when this node commits events, and (on PostgreSQL) when another node's sequencer
/// or post writer announces new positions.
/// <para>It also remembers whether anything raised it may have left events waiting for the sequencer. Only the post
/// writer numbers its own events as it writes them (and, on PostgreSQL, NOTIFY follows numbering): a round woken by
/// those alone need not ask the database whether anything waits, a question that cost a round as much as reading its
/// events back (W1 in bench/findings.md). The dispatcher asks anyway at least every poll interval.</para>
/// </summary>
public sealed class EventSignal : WakeSignal
{
    int _unnumbered = 1;

    /// <summary>Wakes the dispatcher for events that may wait for the sequencer (the safe default).</summary>
    public override void Raise()
    {
        Volatile.Write(ref _unnumbered, 1);
        base.Raise();
    }

    /// <summary>Wakes the dispatcher for events that were numbered when they were written.</summary>
    public void RaiseNumbered() => base.Raise();

    /// <summary>Whether a <see cref="Raise"/> came since the last call; clears it. Take it before asking the database.</summary>
    public bool TakeUnnumbered() => Interlocked.Exchange(ref _unnumbered, 0) == 1;
}

/// <summary>
/// After a SaveChanges that wrote change events has committed: tells this node's read caches what changed (at once,
/// so the writer's next request reads its own write) and raises <see cref="EventSignal"/> for the dispatcher.
/// </summary>
public sealed class EventsWrittenInterceptor(EventSignal signal, ChangeObservers observers) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // Per DbContext: a SaveChanges inside an explicit transaction signals at commit, not before.
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, List<CommittedChange>> Pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Capture(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Capture(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Flush(eventData.Context, committed: false);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context, committed: false);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>The events about to be written, with the posts and topics tracked beside them.</summary>
    static void Capture(DbContext? context)
    {
        if (context is null) return;
        // Outside an explicit transaction this SaveChanges is the whole unit of work: nothing earlier belongs to it (a
        // transaction disposed without commit can leave a capture behind on a pooled context; at worst that capture
        // is applied with a later commit, which only forgets a little more than needed).
        if (context.Database.CurrentTransaction is null) Pending.Remove(context);
        var changes = ChangesOf(context.ChangeTracker.Entries().Select(e => (e.Entity, e.State == EntityState.Added)));
        if (changes is null) return;
        Pending.GetOrCreateValue(context).AddRange(changes);
    }

    /// <summary>
    /// The committed changes a unit of work makes: each new event, with the post and the new topics written beside
    /// it. One pass over the rows: an announcement adds a thousand notification events in one unit of work, and
    /// looking up each one's post separately was quadratic. Null when there is no new event.
    /// </summary>
    public static List<CommittedChange>? ChangesOf(IEnumerable<(object Entity, bool Added)> rows)
    {
        List<ChangeEvent>? events = null;
        Dictionary<long, Post>? posts = null;
        Dictionary<long, List<long>>? topics = null;
        foreach (var (entity, added) in rows)
        {
            switch (entity)
            {
                case ChangeEvent e when added:
                    (events ??= []).Add(e);
                    break;
                case Post p:
                    (posts ??= [])[p.Id] = p;
                    break;
                case PostTopic t when added:
                    topics ??= [];
                    if (!topics.TryGetValue(t.PostId, out var list)) topics[t.PostId] = list = [];
                    list.Add(t.TopicId);
                    break;
            }
        }
        if (events is null) return null;
        var captured = new List<CommittedChange>(events.Count);
        foreach (var e in events)
        {
            Post? post = null;
            List<long>? ids = null;
            if (e.PostId is { } pid)
            {
                posts?.TryGetValue(pid, out post);
                topics?.TryGetValue(pid, out ids);
            }
            captured.Add(new CommittedChange(e, post, (IReadOnlyList<long>?)ids ?? []));
        }
        return captured;
    }

    /// <summary>Tells the read models and the dispatcher about changes that committed outside SaveChanges (the post
    /// writer's own inserts, <see cref="Data.RowInserter"/>).</summary>
    /// <param name="numbered">Whether every event in <paramref name="changes"/> was numbered as it was written.</param>
    public static void Announce(IReadOnlyList<CommittedChange>? changes, ChangeObservers observers, EventSignal signal, bool numbered = false)
    {
        if (changes is null) return;
        observers.Apply(changes);
        if (numbered) signal.RaiseNumbered();
        else signal.Raise();
    }

    void Flush(DbContext? context, bool committed)
    {
        if (context is null || !Pending.TryGetValue(context, out var changes)) return;
        if (!committed && context.Database.CurrentTransaction is not null) return;
        Pending.Remove(context);
        Announce(changes, observers, signal);
    }

    static void Forget(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null) Pending.Remove(context);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context, committed: true);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context, committed: true);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is not null) Pending.Remove(eventData.Context);
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not null) Pending.Remove(eventData.Context);
        return Task.CompletedTask;
    }
}
