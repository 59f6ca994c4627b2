using System.Globalization;
using Npgsql;

namespace Chorus.Bench.Run;

/// <summary>
/// What PostgreSQL did in a measured period: its checkpoints (how many, how many the log's volume forced, the time they
/// spent writing and syncing data files) and the write-ahead log it wrote (records, full-page images, bytes), from
/// <c>pg_stat_bgwriter</c> and <c>pg_stat_wal</c> read at the period's start and end. Both views are the cluster's, so
/// the numbers include anything else the cluster did then (in a run: nothing but the server under load). A tail in an
/// open loop that lines up with checkpoints' syncs shows here (bench/findings.md, thirteenth session).
/// </summary>
public sealed record DbActivity(
    long CheckpointsTimed, long CheckpointsRequested, double CheckpointWriteMs, double CheckpointSyncMs,
    long WalRecords, long WalFullPageImages, long WalBytes)
{
    /// <summary>Reads the counters now; null when they cannot be read (the run goes on without them).</summary>
    public static Task<DbActivity?> PostgresAsync(string adminConnection) => QueryAsync(adminConnection,
        "SELECT b.checkpoints_timed, b.checkpoints_req, b.checkpoint_write_time, b.checkpoint_sync_time, " +
        "w.wal_records, w.wal_fpi, w.wal_bytes FROM pg_stat_bgwriter b, pg_stat_wal w",
        async r => await r.ReadAsync()
            ? new DbActivity(r.GetInt64(0), r.GetInt64(1), r.GetDouble(2), r.GetDouble(3), r.GetInt64(4), r.GetInt64(5), (long)r.GetDecimal(6))
            : null);

    /// <summary>The settings that decide how often PostgreSQL checkpoints and how much log a write costs, as one line.</summary>
    public static Task<string?> PostgresSettingsAsync(string adminConnection) => QueryAsync(adminConnection,
        "SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size', " +
        "'checkpoint_timeout', 'checkpoint_completion_target', 'wal_compression', 'synchronous_commit', 'full_page_writes') ORDER BY name",
        async r =>
        {
            var parts = new List<string>();
            while (await r.ReadAsync()) parts.Add($"{r.GetString(0)} {Setting(r.GetString(1), r.GetString(2))}");
            return (string?)string.Join(", ", parts);
        });

    /// <summary>One query on its own connection; null when PostgreSQL cannot answer it.</summary>
    static async Task<T?> QueryAsync<T>(string adminConnection, string sql, Func<NpgsqlDataReader, Task<T?>> read) where T : class
    {
        try
        {
            await using var c = new NpgsqlConnection(adminConnection);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, c);
            await using var r = await cmd.ExecuteReaderAsync();
            return await read(r);
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    /// <summary>A setting in the units people write it in (shared_buffers counts 8 kB pages; max_wal_size MB).</summary>
    public static string Setting(string value, string unit)
    {
        if (!long.TryParse(value, CultureInfo.InvariantCulture, out var n)) return value;
        var bytes = unit switch { "8kB" => n * 8192, "kB" => n * 1024, "MB" => n << 20, _ => -1L };
        if (bytes >= 0) return bytes % (1L << 30) == 0 ? $"{bytes >> 30}GB" : $"{bytes >> 20}MB";
        return unit == "s" && n % 60 == 0 ? $"{n / 60}min" : value + unit;
    }

    public DbActivity Minus(DbActivity before) => new(
        CheckpointsTimed - before.CheckpointsTimed, CheckpointsRequested - before.CheckpointsRequested,
        CheckpointWriteMs - before.CheckpointWriteMs, CheckpointSyncMs - before.CheckpointSyncMs,
        WalRecords - before.WalRecords, WalFullPageImages - before.WalFullPageImages, WalBytes - before.WalBytes);

    /// <summary>The period in words, per request of a load that completed <paramref name="requests"/>. PostgreSQL counts
    /// a checkpoint when it starts and adds its write and sync time when it ends, so the times are those of the
    /// checkpoints that ended in the period, whenever they started.</summary>
    public string Describe(long requests)
    {
        var started = CheckpointsTimed + CheckpointsRequested;
        var per = Math.Max(1, requests);
        var ended = CheckpointWriteMs > 0 || CheckpointSyncMs > 0
            ? $"; checkpoints ending in it wrote data files for {Report.Num(CheckpointWriteMs)} ms and synced them for {Report.Num(CheckpointSyncMs)} ms"
            : "";
        return $"PostgreSQL meanwhile: {started} checkpoint{(started == 1 ? "" : "s")} started" +
               (CheckpointsRequested > 0 ? $" ({CheckpointsRequested} forced by the log's volume)" : "") + ended +
               $"; {Report.Num(WalBytes / 1048576.0)} MB of log ({(WalBytes / 1024.0 / per).ToString("F1", CultureInfo.InvariantCulture)} kB and " +
               $"{(WalFullPageImages / (double)per).ToString("F2", CultureInfo.InvariantCulture)} full-page images per request)";
    }
}
