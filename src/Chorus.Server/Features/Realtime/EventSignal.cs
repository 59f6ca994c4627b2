using System.Data.Common;
using Chorus.Server.Data;
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

/// <summary>Raises <see cref="EventSignal"/> after a SaveChanges that wrote change events has committed.</summary>
public sealed class EventsWrittenInterceptor(EventSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // Per DbContext: a SaveChanges inside an explicit transaction signals at commit, not before.
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> Pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Mark(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Mark(eventData.Context);
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

    static void Mark(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<ChangeEvent>().Any(e => e.State == EntityState.Added))
            Pending.AddOrUpdate(context, true);
    }

    void Flush(DbContext? context, bool committed)
    {
        if (context is null || !Pending.TryGetValue(context, out _)) return;
        if (!committed && context.Database.CurrentTransaction is not null) return;
        Pending.Remove(context);
        signal.Raise();
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context, committed: true);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context, committed: true);
        return Task.CompletedTask;
    }
}
