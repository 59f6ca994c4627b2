using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Chorus.Server.Data;

/// <summary>
/// Lets one SQLite write transaction at a time into the database file, queueing the others in memory. SQLite allows
/// one writer; without the gate every other writer polls the lock with sleeps (SQLite's busy handler, then
/// Microsoft.Data.Sqlite's own retry), so under concurrent posting most of a request's time was sleeping, not
/// writing (W1 in docs/benchmarks.md). Waiters here wake the moment the writer before them commits. Held from
/// the transaction's start to its end — commit, rollback, failure, or the connection closing after a transaction
/// that was disposed without either.
/// </summary>
public sealed class SqliteWriteGate : DbConnectionInterceptor, IDbTransactionInterceptor
{
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly ConditionalWeakTable<DbConnection, object> _holders = [];
    static readonly object Held = new();

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        _gate.Wait();
        _holders.AddOrUpdate(connection, Held);
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        _holders.AddOrUpdate(connection, Held);
        return result;
    }

    public void TransactionCommitted(DbConnection connection, TransactionEndEventData eventData) => Release(connection);
    public Task TransactionCommittedAsync(DbConnection connection, TransactionEndEventData eventData, CancellationToken cancellationToken = default) => Released(connection);
    public void TransactionRolledBack(DbConnection connection, TransactionEndEventData eventData) => Release(connection);
    public Task TransactionRolledBackAsync(DbConnection connection, TransactionEndEventData eventData, CancellationToken cancellationToken = default) => Released(connection);
    public void TransactionFailed(DbConnection connection, TransactionErrorEventData eventData) => Release(connection);
    public Task TransactionFailedAsync(DbConnection connection, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) => Released(connection);

    public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData) => Released(connection);

    Task Released(DbConnection connection)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    void Release(DbConnection connection)
    {
        if (_holders.Remove(connection)) _gate.Release();
    }
}
