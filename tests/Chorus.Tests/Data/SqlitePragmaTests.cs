using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Chorus.Tests.Notifications;

namespace Chorus.Tests.Data;

public sealed class SqlitePragmaTests(Servers servers)
{
    /// <summary>
    /// The connection settings run once per physical connection, not on every open (bench/findings.md, W2): every
    /// later open of a pooled connection, in a new context each time, must still see them.
    /// </summary>
    [Fact]
    public async Task Every_open_of_a_pooled_connection_keeps_its_settings()
    {
        var server = servers["Sqlite"];
        for (var i = 0; i < 5; i++)
        {
            var (foreignKeys, busyTimeout, autoCheckpoint) = await server.InDbAsync(async db =>
            {
                async Task<long> Pragma(string name)
                {
                    // A query first, so EF opens and closes the connection itself, as a request does.
                    await db.People.CountAsync();
                    var connection = db.Database.GetDbConnection();
                    await db.Database.OpenConnectionAsync();
                    try
                    {
                        await using var cmd = connection.CreateCommand();
                        cmd.CommandText = "PRAGMA " + name;
                        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
                    }
                    finally { await db.Database.CloseConnectionAsync(); }
                }
                // Each differs from SQLite's default (0, 0, 1000), so a connection that missed the settings shows.
                return (await Pragma("foreign_keys"), await Pragma("busy_timeout"), await Pragma("wal_autocheckpoint"));
            });
            Assert.Equal(1, foreignKeys);
            Assert.Equal(10000, busyTimeout);
            Assert.Equal(0, autoCheckpoint); // the server's SqliteCheckpointer copies the log back, not the commits
        }
    }

    /// <summary>
    /// Commits never checkpoint in the server (W1, bench/findings.md): the background checkpointer must copy the log
    /// back into the database file instead, or the log would grow without end.
    /// </summary>
    [Fact]
    public async Task The_background_checkpointer_copies_committed_pages_into_the_database_file()
    {
        var server = servers["Sqlite"];
        var checkpointer = server.Services.GetRequiredService<Chorus.Server.Data.SqliteCheckpointer>();
        var before = checkpointer.PagesCopied;
        var author = await server.CreateUserAsync();
        for (var i = 0; i < 5; i++) await author.NewPostAsync($"checkpoint me {i}");
        await PostTypes.PostTypeHelpers.EventuallyAsync(() => Task.FromResult(checkpointer.PagesCopied > before));
        Assert.True(checkpointer.Runs > 0);
    }

    /// <summary>
    /// Under sustained posting the writer always commits again before a background checkpoint ends, and SQLite starts
    /// the log over only after a checkpoint copied all of it: the log grew to gigabytes in W1 (bench/findings.md). Past
    /// a size, the checkpointer holds the writer between two batches for one more pass, and the log starts over.
    /// </summary>
    [Fact]
    public async Task The_log_starts_over_while_posts_keep_coming()
    {
        var server = servers["Sqlite"];
        var checkpointer = server.Services.GetRequiredService<Chorus.Server.Data.SqliteCheckpointer>();
        var (threshold, catchUpPages) = (checkpointer.RestartPages, checkpointer.CatchUpPages);
        // A few dozen pages instead of 32 MB, so a test's posting reaches it in moments; and a catch-up pass before a
        // hold whenever the pass before copied anything.
        checkpointer.RestartPages = 24;
        checkpointer.CatchUpPages = 0;
        try
        {
            var (holds, restarts, catchUps) = (checkpointer.Holds, checkpointer.Restarts, checkpointer.CatchUps);
            var author = await server.CreateUserAsync();
            using var stop = new CancellationTokenSource();
            var written = 0;
            var posting = Enumerable.Range(0, 8).Select(async w =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    await author.NewPostAsync($"log {w}-{n}: keep the writer busy so the log would only grow");
                    Interlocked.Increment(ref written);
                }
            }).ToList();
            try
            {
                await PostTypes.PostTypeHelpers.EventuallyAsync(() => Task.FromResult(
                    checkpointer.Holds > holds && checkpointer.Restarts > restarts && checkpointer.CatchUps > catchUps));
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAll(posting);
            }
            // Holding the writer never loses a post: every one written is there.
            var stored = await server.InDbAsync(db => db.Posts.CountAsync(p => p.AuthorId == author.Id));
            Assert.Equal(written, stored);
        }
        finally { (checkpointer.RestartPages, checkpointer.CatchUpPages) = (threshold, catchUpPages); }
    }
}
