using Chorus.Server.Infrastructure;

namespace Chorus.Server.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file off the write path. SQLite's own automatic
/// checkpoint runs inside the commit that takes the log past 1,000 pages, so the post writer's commit, and every post
/// waiting on it, paid for writing those pages back and for the database file's fsync (W1 in bench/findings.md).
/// In the server, connections never checkpoint themselves (<c>wal_autocheckpoint=0</c>, see
/// <see cref="DatabaseSetup"/>): this service runs a PASSIVE checkpoint on a connection of its own every
/// <see cref="Interval"/>. PASSIVE never waits for readers or the writer; what it cannot copy yet (pages a reader
/// still needs) it copies next time. Often, so each copy is small: its fsync of the database file can hold up the
/// writer's next fsync of the log on the same disk.
/// </summary>
public sealed class SqliteCheckpointer(ChorusSettings settings, ILogger<SqliteCheckpointer> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    long _runs, _copied;

    /// <summary>Checkpoints run, and log pages copied into the database file, since start (for tests and diagnostics).</summary>
    public long Runs => Interlocked.Read(ref _runs);
    public long PagesCopied => Interlocked.Read(ref _copied);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (settings.Provider != DatabaseProvider.Sqlite) return;
        while (true)
        {
            try { await Task.Delay(Interval, stop); }
            catch (OperationCanceledException) { break; }
            await RunAsync();
        }
        // One more as the server stops, so what it wrote is in the database file.
        await RunAsync();
    }

    async Task RunAsync()
    {
        try
        {
            await using var connection = await DatabaseSetup.OpenConnectionAsync(settings, CancellationToken.None);
            await using var cmd = connection.CreateCommand();
            // Answers (busy, pages in the log, pages of it now in the database file).
            cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            await using var reader = await cmd.ExecuteReaderAsync();
            if (await reader.ReadAsync() && reader.GetInt64(2) is var copied and > 0) Interlocked.Add(ref _copied, copied);
            Interlocked.Increment(ref _runs);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            log.LogWarning(e, "SQLite checkpoint failed; the next one retries");
        }
    }
}
