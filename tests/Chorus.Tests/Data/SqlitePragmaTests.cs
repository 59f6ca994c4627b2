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
}
