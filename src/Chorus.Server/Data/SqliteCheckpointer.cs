using System.Diagnostics;
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
/// <para>SQLite starts the log over (writes from its beginning again) only when a write begins right after a
/// checkpoint copied all of it. Under sustained posting the writer has always committed again before a background
/// checkpoint ends, so the log grew without end: 1.2–2 GB after two minutes of W1 (bench/findings.md). So once the log
/// passes <see cref="RestartPages"/>, the checkpointer holds the post writer between two batches
/// (<see cref="WriterPause"/>) for one more PASSIVE pass, which copies the little committed since; the next write
/// then starts the log over, unless a read that began before the pass still uses it (then a later pass does). Before
/// holding it, passes without holding it catch up until one copies little, so the held pass is short.</para>
/// </summary>
public sealed class SqliteCheckpointer(ChorusSettings settings, WriterPause writer, ILogger<SqliteCheckpointer> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    long _runs, _copied, _holds, _restarts, _catchUps, _lastCopied;

    /// <summary>Checkpoints run, and log pages copied into the database file, since start (for tests and diagnostics).</summary>
    public long Runs => Interlocked.Read(ref _runs);
    public long PagesCopied => Interlocked.Read(ref _copied);

    /// <summary>Times the writer was held for a pass, and times the log was seen to have started over.</summary>
    public long Holds => Interlocked.Read(ref _holds);
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>Passes run to catch up before holding the writer (see <see cref="CatchUpPasses"/>).</summary>
    public long CatchUps => Interlocked.Read(ref _catchUps);

    /// <summary>Log size (pages of 4 KB) past which the writer is held for a pass: 32 MB.</summary>
    internal int RestartPages { get; set; } = 8_192;

    /// <summary>Before holding the writer, passes without holding it while the last one copied more than
    /// <see cref="CatchUpPages"/> pages, at most <see cref="CatchUpPasses"/> of them. Posting at 5,700/s, the held pass
    /// took 12.4–13.4 ms (mean of ~150 holds a minute) without them and 5.4–6.7 ms with them (bench/findings.md,
    /// twenty-fourth session).</summary>
    internal int CatchUpPasses { get; set; } = 3;
    internal int CatchUpPages { get; set; } = 256;

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
            var (pages, copied) = await PassAsync(connection);
            if (pages >= RestartPages)
            {
                // Catch up first without holding anyone: each pass copies what was committed during the one before, so
                // passes get shorter, and the held one has only the last short pass's posts to copy.
                var catchUp = 0;
                for (; catchUp < CatchUpPasses && copied > CatchUpPages; catchUp++)
                {
                    Interlocked.Increment(ref _catchUps);
                    (_, copied) = await PassAsync(connection);
                }
                // The writer finishes its batch and waits; this pass copies what it committed during the last one.
                using (await writer.TurnAsync(CancellationToken.None))
                {
                    var held = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref _holds);
                    (_, copied) = await PassAsync(connection);
                    var ms = Stopwatch.GetElapsedTime(held).TotalMilliseconds;
                    log.LogDebug("Held the post writer {Milliseconds:F1} ms for a pass of {Copied} pages ({Pages} in the log, {CatchUp} passes before)",
                        ms, copied, pages, catchUp);
                }
            }
            Interlocked.Increment(ref _runs);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            log.LogWarning(e, "SQLite checkpoint failed; the next one retries");
        }
    }

    /// <summary>One PASSIVE checkpoint; answers the log's size in pages and how many of them it copied.</summary>
    async Task<(long Pages, long Copied)> PassAsync(System.Data.Common.DbConnection connection)
    {
        await using var cmd = connection.CreateCommand();
        // Answers (busy, pages in the log, pages of it now in the database file).
        cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await using var reader = await cmd.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return (0, 0);
        var (pages, copied) = (reader.GetInt64(1), reader.GetInt64(2));
        // Copied counts from the log's start, so the difference to the last pass is what this one copied; fewer than
        // last time means the log started over since, and all of them are new.
        var last = Interlocked.Exchange(ref _lastCopied, copied);
        if (copied < last) Interlocked.Increment(ref _restarts);
        var now = copied < last ? copied : copied - last;
        Interlocked.Add(ref _copied, now);
        return (pages, now);
    }
}
