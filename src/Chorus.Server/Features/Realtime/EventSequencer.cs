using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// Gives committed events their stream position. Identity ids are handed out at insert time, so on PostgreSQL a
/// transaction that started earlier can commit later with a smaller id; a reader resuming "after id N" could then
/// skip it. Instead, one sequencer at a time (an advisory lock on PostgreSQL, the write lock on SQLite) numbers the
/// committed, unnumbered events in id order, continuing from the highest number. Numbers become visible only when
/// the sequencer commits, and later sequencer runs only hand out higher numbers: readers of "seq > N" miss nothing.
/// <para>The post writer numbers its own events as it inserts them (<see cref="NumberNewAsync"/>), holding the same
/// lock until its commit: numbering them afterwards rewrote every event row and its indexes a second time (ADR 014).</para>
/// </summary>
public sealed class EventSequencer(ChorusDb db, ChorusSettings settings)
{
    const long LockKey = 0x43686F72757331; // "Chorus1"
    public const string Channel = "chorus_events";

    /// <summary>Numbers up to <paramref name="batch"/> waiting events. Returns how many were numbered.</summary>
    public async Task<int> SequenceAsync(int batch, CancellationToken ct)
    {
        var postgres = settings.Provider == DatabaseProvider.Postgres;
        // Most rounds find nothing: the post writer numbers its own events (ADR 014). Asked first (a partial index),
        // so that such a round does not queue for the lock behind a writer's batch. An event committed just after
        // this check is numbered by the round its commit signals, or by the next poll.
        // On SQLite the check comes before the transaction, which is BEGIN IMMEDIATE (Microsoft.Data.Sqlite's
        // default): the write lock is ours from there on. On PostgreSQL, READ COMMITTED whatever the server's
        // default (the UPDATE must see what committed before the lock), begun first so that the check, too, runs
        // without sequential scans (NoSeqScans).
        if (!postgres && !await db.Events.AnyAsync(e => e.Seq == null, ct)) return 0;
        await using var tx = postgres
            ? await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct)
            : await db.Database.BeginTransactionAsync(ct);
        if (postgres)
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT {NoSeqScans}", ct);
            if (!await db.Events.AnyAsync(e => e.Seq == null, ct)) return 0;
            // Waits while another node's sequencer or a post writer holds it (milliseconds): numbers are handed out one
            // holder at a time. A separate statement, so that the UPDATE's snapshot is taken after the lock is ours.
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({LockKey})", ct);
        }
        var n = await db.Database.ExecuteSqlRawAsync(NumberWaiting("LIMIT {0}"), [batch], ct);
        if (n > 0 && postgres)
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{Channel}', '')", ct);
        await tx.CommitAsync(ct);
        return n;
    }

    /// <summary>
    /// PostgreSQL, for the rest of the transaction: no sequential scans where an index can do. The numbering's
    /// statements run on long-lived connections that Npgsql prepares them on (ADR 013), and a prepared statement
    /// without parameters keeps the plan made at its first use until the table's statistics change. Made while the
    /// events table was empty (a new organization; the benchmark's freshly loaded one), that plan scans the whole
    /// table: the harness's W1 ran at 1,778-2,733 posts/s instead of 8,000, the numbering taking 7.7 ms a batch and
    /// growing, until autovacuum's next ANALYZE (up to a minute) had the plan made again. Without sequential scans
    /// the only plans left read the unnumbered events through their partial index and the highest number from the
    /// end of its index, whatever the table's size when they are made (bench/findings.md, twenty-sixth session).
    /// </summary>
    const string NoSeqScans = "set_config('enable_seqscan', 'off', true)";

    static readonly string NumberAllWaiting = NumberWaiting("");
    /// <summary>The highest number: the last entry of its index. Not MAX(seq), which a plan made on an empty table
    /// computes by reading the whole index.</summary>
    const string Head = "(SELECT seq FROM events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1)";
    const string ReadHead = $"SELECT COALESCE({Head}, 0)";

    /// <summary>Numbers the waiting (committed, unnumbered) events in id order, after the highest number.</summary>
    static string NumberWaiting(string limit) => $"""
        UPDATE events SET seq = numbered.base + numbered.rn
        FROM (SELECT e.id, ROW_NUMBER() OVER (ORDER BY e.id) AS rn,
                     COALESCE({Head}, 0) AS base
              FROM events e WHERE e.seq IS NULL ORDER BY e.id {limit}) AS numbered
        WHERE events.id = numbered.id AND events.seq IS NULL
        """;

    /// <summary>
    /// Numbers <paramref name="events"/>, new rows about to be inserted in the caller's transaction in this order (their
    /// generated ids follow the same order), continuing from the highest number. On PostgreSQL this takes the
    /// sequencer's lock, held until the caller commits or rolls back, so no other number is handed out in between and
    /// this transaction's numbers become visible before any higher one; it also notifies the other nodes at commit.
    /// On SQLite the caller's transaction holds the write lock already. Call it just before inserting, and commit
    /// soon: every other numbering waits for it.
    /// <para>Events that committed before and still wait for the sequencer are numbered first, in the same
    /// transaction: a change answered before these rows were written (a follow, then the followed person's post) must
    /// be dispatched before them, or a stream would resubscribe after the post it should have received went by.</para>
    /// </summary>
    /// <param name="prepared">SQLite: keeps the two statements prepared from one call to the next on the same open
    /// connection (the post writer's); null to prepare them for this call only.</param>
    public static async Task NumberNewAsync(ChorusDb db, IReadOnlyList<ChangeEvent> events, bool postgres, CancellationToken ct,
        Data.PreparedStatements? prepared = null)
    {
        if (events.Count == 0) return;
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("New events are numbered inside the transaction that inserts them.");
        var connection = db.Database.GetDbConnection();
        long head;
        if (postgres)
        {
            // One round trip; the head is read by the second statement, whose snapshot is taken once the lock is held.
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            var take = batch.CreateBatchCommand();
            take.CommandText = $"SELECT pg_advisory_xact_lock({LockKey}), pg_notify('{Channel}', ''), {NoSeqScans}";
            batch.BatchCommands.Add(take);
            var waiting = batch.CreateBatchCommand();
            waiting.CommandText = NumberAllWaiting;
            batch.BatchCommands.Add(waiting);
            var read = batch.CreateBatchCommand();
            read.CommandText = ReadHead;
            batch.BatchCommands.Add(read);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            // Past the lock's row and the UPDATE (which has no rows of its own) to the one-column head.
            do { } while (reader.FieldCount != 1 && await reader.NextResultAsync(ct));
            if (reader.FieldCount != 1 || !await reader.ReadAsync(ct)) throw new InvalidOperationException("The events' head was not read.");
            head = reader.GetInt64(0);
        }
        else
        {
            using var waiting = Data.PreparedStatements.For(prepared, connection, NumberAllWaiting, NumberAllWaiting);
            using var read = Data.PreparedStatements.For(prepared, connection, ReadHead, ReadHead);
            waiting.Command.Transaction = read.Command.Transaction = transaction;
            await waiting.Command.ExecuteNonQueryAsync(ct);
            head = Convert.ToInt64(await read.Command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var e in events) e.Seq = ++head;
    }
}
