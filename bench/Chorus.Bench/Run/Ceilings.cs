using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Chorus.Bench.Run;

/// <summary>A raw rate: operations (or rows) per second, and the latency of each operation where that means something.</summary>
public sealed record RawRate(string Name, double PerSecond, string Unit, Latencies? Latency);

/// <summary>
/// What the database can do with Chorus out of the way: plain ADO.NET on a table of the same shape as <c>posts</c>
/// (same columns, the same author index), one connection, one thread. Single-row commits, 1,000-row transactions,
/// binary COPY (PostgreSQL), and the indexed "newest 20 for one author" read the home feed is made of.
/// </summary>
public static class Ceilings
{
    const int Authors = 1_000;
    const string Columns = "id, author_id, text, html, reply_to_id, root_id, share_of_id, group_id, created_at, edited_at, deleted_at";
    const string Text = "Status update on the quarterly plan: the migration is on track, the review is Thursday and the notes are in the shared folder for everyone.";
    const string Read = "SELECT id FROM posts WHERE author_id = @a AND reply_to_id IS NULL AND deleted_at IS NULL AND group_id IS NULL ORDER BY id DESC LIMIT 20";

    static string Ddl(bool postgres)
    {
        var (i, t) = postgres ? ("BIGINT", "TIMESTAMPTZ") : ("INTEGER", "TEXT");
        return $"""
            CREATE TABLE posts (id {i} PRIMARY KEY, author_id {i} NOT NULL, text TEXT NOT NULL, html TEXT NOT NULL, reply_to_id {i},
                root_id {i} NOT NULL, share_of_id {i}, group_id {i}, created_at {t} NOT NULL, edited_at {t}, deleted_at {t});
            CREATE INDEX ix_posts_by_author ON posts (author_id, id, reply_to_id, deleted_at, group_id);
            """;
    }

    public static async Task<List<RawRate>> SqliteAsync(TimeSpan each)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"bench-ceiling-{DateTime.UtcNow:HHmmssfff}");
        Directory.CreateDirectory(dir);
        try
        {
            await using var c = new SqliteConnection($"Data Source={Path.Combine(dir, "raw.db")};Pooling=false");
            await c.OpenAsync();
            await ExecAsync(c, "PRAGMA journal_mode=WAL;" + Ddl(postgres: false));
            var ids = new Ids();
            var results = new List<RawRate>();
            await ExecAsync(c, "PRAGMA synchronous=FULL");
            results.Add(await Blocking(() => SingleRowCommits(c, ids, each, "SQLite single-row commits, WAL, synchronous=FULL")));
            await ExecAsync(c, "PRAGMA synchronous=NORMAL");
            results.Add(await Blocking(() => SingleRowCommits(c, ids, each, "SQLite single-row commits, WAL, synchronous=NORMAL")));
            await ExecAsync(c, "PRAGMA synchronous=FULL");
            results.Add(await Blocking(() => Batches(c, ids, each, "SQLite 1,000-row transactions, WAL, synchronous=FULL")));
            await ExecAsync(c, "ANALYZE");
            results.Add(await Blocking(() => Reads(c, each, "SQLite indexed newest 20 for one author")));
            return results;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    public static async Task<List<RawRate>> PostgresAsync(string adminConnection, TimeSpan each)
    {
        var database = $"{BenchDatabase.DatabasePrefix}_ceiling_{DateTime.UtcNow:HHmmssfff}";
        await using (var admin = new NpgsqlConnection(adminConnection))
        {
            await admin.OpenAsync();
            await ExecAsync(admin, $"CREATE DATABASE {database}");
        }
        try
        {
            await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnection) { Database = database, CommandTimeout = 0 }.ConnectionString);
            await c.OpenAsync();
            await ExecAsync(c, Ddl(postgres: true));
            var ids = new Ids();
            var results = new List<RawRate>
            {
                await Blocking(() => SingleRowCommits(c, ids, each, "PostgreSQL single-row commits (fsync on)")),
                await Blocking(() => Batches(c, ids, each, "PostgreSQL 1,000-row transactions")),
                await CopyAsync(c, ids, each, "PostgreSQL binary COPY"),
            };
            await ExecAsync(c, "VACUUM ANALYZE posts");
            results.Add(await Blocking(() => Reads(c, each, "PostgreSQL indexed newest 20 for one author")));
            return results;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(adminConnection);
            await admin.OpenAsync();
            await ExecAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <summary>
    /// Runs a synchronous measurement on a thread-pool thread. The bench completes socket operations inline on the
    /// socket engine's thread (Program.cs), so the code after an awaited PostgreSQL call may run on that thread; a
    /// synchronous socket call made there waits for the very thread it blocks. The first PostgreSQL run after that
    /// change hung in the single-row commits.
    /// </summary>
    static Task<RawRate> Blocking(Func<RawRate> measure) => Task.Run(measure);

    /// <summary>Time-ordered ids like the server's, and random authors (so the author index takes random-key inserts).</summary>
    sealed class Ids
    {
        readonly Random _rnd = new(11);
        long _next = (long)(DateTime.UtcNow - new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalMilliseconds << 22;
        public long Next() => _next++;
        public long Author() => _rnd.Next(1, Authors + 1);
    }

    static DbCommand Insert(DbConnection c)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = $"INSERT INTO posts ({Columns}) VALUES (@id, @a, @t, @h, NULL, @id, NULL, NULL, @at, NULL, NULL)";
        Add(cmd, "@id", 0L);
        Add(cmd, "@a", 0L);
        Add(cmd, "@t", Text);
        Add(cmd, "@h", "<p>" + Text + "</p>");
        Add(cmd, "@at", DateTime.UtcNow);
        return cmd;
    }

    static void Fill(DbCommand cmd, Ids ids)
    {
        var id = ids.Next();
        cmd.Parameters["@id"].Value = id;
        cmd.Parameters["@a"].Value = ids.Author();
        cmd.Parameters["@at"].Value = DateTime.UtcNow;
    }

    static RawRate SingleRowCommits(DbConnection c, Ids ids, TimeSpan each, string name)
    {
        using var cmd = Insert(c);
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed < each)
        {
            var start = Stopwatch.GetTimestamp();
            using var tx = c.BeginTransaction();
            cmd.Transaction = tx;
            Fill(cmd, ids);
            cmd.ExecuteNonQuery();
            tx.Commit();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new RawRate(name, samples.Count / total.Elapsed.TotalSeconds, "commits/s", Latencies.Of(samples));
    }

    static RawRate Batches(DbConnection c, Ids ids, TimeSpan each, string name)
    {
        using var cmd = Insert(c);
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed < each)
        {
            var start = Stopwatch.GetTimestamp();
            using var tx = c.BeginTransaction();
            cmd.Transaction = tx;
            if (c is NpgsqlConnection pg)
            {
                // One round trip for the 1,000 statements, as a server writing a batch would send them.
                using var batch = new NpgsqlBatch(pg, (NpgsqlTransaction)tx);
                for (var i = 0; i < 1_000; i++)
                {
                    var b = new NpgsqlBatchCommand(cmd.CommandText);
                    b.Parameters.AddWithValue("id", ids.Next());
                    b.Parameters.AddWithValue("a", ids.Author());
                    b.Parameters.AddWithValue("t", Text);
                    b.Parameters.AddWithValue("h", "<p>" + Text + "</p>");
                    b.Parameters.AddWithValue("at", DateTime.UtcNow);
                    batch.BatchCommands.Add(b);
                }
                batch.ExecuteNonQuery();
            }
            else
            {
                for (var i = 0; i < 1_000; i++)
                {
                    Fill(cmd, ids);
                    cmd.ExecuteNonQuery();
                }
            }
            tx.Commit();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new RawRate(name, samples.Count * 1_000 / total.Elapsed.TotalSeconds, "rows/s", Latencies.Of(samples));
    }

    static async Task<RawRate> CopyAsync(NpgsqlConnection c, Ids ids, TimeSpan each, string name)
    {
        long rows = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed < each)
        {
            await using var writer = await c.BeginBinaryImportAsync($"COPY posts (id, author_id, text, html, root_id, created_at) FROM STDIN (FORMAT BINARY)");
            for (var i = 0; i < 10_000; i++)
            {
                var id = ids.Next();
                await writer.StartRowAsync();
                await writer.WriteAsync(id, NpgsqlDbType.Bigint);
                await writer.WriteAsync(ids.Author(), NpgsqlDbType.Bigint);
                await writer.WriteAsync(Text, NpgsqlDbType.Text);
                await writer.WriteAsync("<p>" + Text + "</p>", NpgsqlDbType.Text);
                await writer.WriteAsync(id, NpgsqlDbType.Bigint);
                await writer.WriteAsync(DateTime.UtcNow, NpgsqlDbType.TimestampTz);
            }
            await writer.CompleteAsync();
            rows += 10_000;
        }
        return new RawRate(name, rows / total.Elapsed.TotalSeconds, "rows/s", null);
    }

    static RawRate Reads(DbConnection c, TimeSpan each, string name)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = Read;
        Add(cmd, "@a", 0L);
        cmd.Prepare();
        var rnd = new Random(5);
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed < each)
        {
            var start = Stopwatch.GetTimestamp();
            cmd.Parameters["@a"].Value = (long)rnd.Next(1, Authors + 1);
            using (var reader = cmd.ExecuteReader())
                while (reader.Read()) reader.GetInt64(0);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new RawRate(name, samples.Count / total.Elapsed.TotalSeconds, "reads/s", Latencies.Of(samples));
    }

    static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    static async Task ExecAsync(DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync();
    }
}
