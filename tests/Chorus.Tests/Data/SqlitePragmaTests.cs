using Microsoft.EntityFrameworkCore;

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
            var (foreignKeys, busyTimeout) = await server.InDbAsync(async db =>
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
                // Both differ from SQLite's defaults (0), so a connection that missed the settings shows.
                return (await Pragma("foreign_keys"), await Pragma("busy_timeout"));
            });
            Assert.Equal(1, foreignKeys);
            Assert.Equal(10000, busyTimeout);
        }
    }
}
