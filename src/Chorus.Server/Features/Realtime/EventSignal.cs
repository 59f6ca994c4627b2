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

    public void Raise()
    {
        try { if (_signal.CurrentCount == 0) _signal.Release(); }
        catch (SemaphoreFullException) { /* already raised */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Wakes the event dispatcher: set when this node commits events, and (on PostgreSQL) when another node's sequencer
/// announces new positions.
/// </summary>
public sealed class EventSignal : WakeSignal;

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
        // One pass over the tracked entries (each Entries() call also detects changes): an announcement adds a
        // thousand notification events in one SaveChanges, and looking up each one's post separately was quadratic.
        List<ChangeEvent>? events = null;
        Dictionary<long, Post>? posts = null;
        Dictionary<long, List<long>>? topics = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            switch (entry.Entity)
            {
                case ChangeEvent e when entry.State == EntityState.Added:
                    (events ??= []).Add(e);
                    break;
                case Post p:
                    (posts ??= [])[p.Id] = p;
                    break;
                case PostTopic t when entry.State == EntityState.Added:
                    topics ??= [];
                    if (!topics.TryGetValue(t.PostId, out var list)) topics[t.PostId] = list = [];
                    list.Add(t.TopicId);
                    break;
            }
        }
        if (events is null) return;
        var captured = Pending.GetOrCreateValue(context);
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
    }

    void Flush(DbContext? context, bool committed)
    {
        if (context is null || !Pending.TryGetValue(context, out var changes)) return;
        if (!committed && context.Database.CurrentTransaction is not null) return;
        Pending.Remove(context);
        observers.Apply(changes);
        signal.Raise();
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
