using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// Gives committed events their stream position. Identity ids are handed out at insert time, so on PostgreSQL a
/// transaction that started earlier can commit later with a smaller id; a reader resuming "after id N" could then
/// skip it. Instead, one sequencer at a time (an advisory lock on PostgreSQL, the write lock on SQLite) numbers the
/// committed, unnumbered events in id order, continuing from the highest number. Numbers become visible only when
/// the sequencer commits, and later sequencer runs only hand out higher numbers: readers of "seq > N" miss nothing.
/// </summary>
public sealed class EventSequencer(ChorusDb db, ChorusSettings settings)
{
    const long LockKey = 0x43686F72757331; // "Chorus1"
    public const string Channel = "chorus_events";

    /// <summary>Numbers up to <paramref name="batch"/> waiting events. Returns how many were numbered.</summary>
    public async Task<int> SequenceAsync(int batch, CancellationToken ct)
    {
        var postgres = settings.Provider == DatabaseProvider.Postgres;
        // On SQLite this is BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock is ours from here on.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (postgres)
        {
            // Another node is numbering right now: it will take these events too.
            var got = await db.Database.SqlQueryRaw<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct);
            if (!got) return 0;
        }
        var n = await db.Database.ExecuteSqlAsync($"""
            UPDATE events SET seq = numbered.base + numbered.rn
            FROM (SELECT e.id, ROW_NUMBER() OVER (ORDER BY e.id) AS rn,
                         (SELECT COALESCE(MAX(seq), 0) FROM events) AS base
                  FROM events e WHERE e.seq IS NULL ORDER BY e.id LIMIT {batch}) AS numbered
            WHERE events.id = numbered.id
            """, ct);
        if (n > 0 && postgres)
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{Channel}', '')", ct);
        await tx.CommitAsync(ct);
        return n;
    }
}
