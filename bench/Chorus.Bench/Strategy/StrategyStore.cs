using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Chorus.Bench.Strategy;

/// <summary>
/// A database with the server's real schema (its own migration scripts) plus the tables only the alternative
/// strategies need, reached with plain ADO.NET so the experiment measures SQL, not the ORM.
/// </summary>
public abstract class StrategyStore(DbConnection connection, string name) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;
    public string Name { get; } = name;

    public static async Task<StrategyStore> SqliteAsync(string path, bool fresh = true)
    {
        if (fresh) foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        var c = new SqliteConnection($"Data Source={path};Pooling=false");
        await c.OpenAsync();
        var store = new SqliteStore(c);
        // Loading speed only: the measured phases switch back to the server's durability (see Durable).
        await store.ExecAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000; PRAGMA temp_store=MEMORY;");
        return store;
    }

    public static async Task<StrategyStore> PostgresAsync(string adminConnectionString, string database)
    {
        await using (var admin = new NpgsqlConnection(adminConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database, CommandTimeout = 0 }.ConnectionString);
        await c.OpenAsync();
        return new PostgresStore(c);
    }

    /// <summary>An existing PostgreSQL database (for example one the server has just migrated).</summary>
    public static async Task<StrategyStore> PostgresOpenAsync(string connectionString)
    {
        var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        await c.OpenAsync();
        return new PostgresStore(c);
    }

    protected abstract string Folder { get; }
    public abstract string TimelinesDdl { get; }
    public abstract Task BulkAsync(string table, string[] columns, IEnumerable<object?[]> rows, Action<long> progress);
    public abstract Task AnalyzeAsync();
    /// <summary>Writes commit the way the server commits them (SQLite: WAL + synchronous=FULL; PostgreSQL: default fsync).</summary>
    public abstract Task DurableAsync();

    /// <summary>The server's migration scripts numbered <paramref name="from"/>..<paramref name="to"/>; returns their names.</summary>
    public async Task<List<string>> MigrateAsync(int from, int to)
    {
        var dir = Path.Combine(Report.RepoRoot, "src", "Chorus.Server", "Data", "Migrations", Folder);
        var applied = new List<string>();
        foreach (var script in Directory.GetFiles(dir, "*.sql").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(script);
            var version = int.Parse(name[..name.IndexOf('_')], System.Globalization.CultureInfo.InvariantCulture);
            if (version < from || version > to) continue;
            await ExecAsync(await File.ReadAllTextAsync(script));
            applied.Add(name);
        }
        return applied;
    }

    /// <summary>The schema as of migration 0002 (the feed design under test), plus the tables only the alternatives need.</summary>
    public async Task CreateSchemaAsync()
    {
        await MigrateAsync(1, 2);
        await ExecAsync(TimelinesDdl);
        await ExecAsync("CREATE TABLE celebrities (person_id BIGINT PRIMARY KEY)");
    }

    public async Task ExecAsync(string sql)
    {
        await using var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A command with named parameters (<c>@name</c> works for both providers), prepared for repeated use.</summary>
    public DbCommand Prepare(string sql, params string[] parameters)
    {
        var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        foreach (var p in parameters)
        {
            var param = cmd.CreateParameter();
            param.ParameterName = p;
            param.Value = 0L;
            cmd.Parameters.Add(param);
        }
        cmd.Prepare();
        return cmd;
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    sealed class SqliteStore(SqliteConnection c) : StrategyStore(c, "sqlite")
    {
        protected override string Folder => "Sqlite";
        public override string TimelinesDdl =>
            "CREATE TABLE timelines (owner_id INTEGER NOT NULL, post_id INTEGER NOT NULL, PRIMARY KEY (owner_id, post_id)) WITHOUT ROWID";

        public override async Task BulkAsync(string table, string[] columns, IEnumerable<object?[]> rows, Action<long> progress)
        {
            var sql = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
            long done = 0;
            var tx = c.BeginTransaction();
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.Transaction = tx;
            var ps = columns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("@p" + i, null))).ToArray();
            cmd.Prepare();
            foreach (var row in rows)
            {
                for (var i = 0; i < ps.Length; i++) ps[i].Value = row[i] ?? DBNull.Value;
                cmd.ExecuteNonQuery();
                if (++done % 100_000 == 0)
                {
                    tx.Commit();
                    tx.Dispose();
                    tx = c.BeginTransaction();
                    cmd.Transaction = tx;
                    progress(done);
                }
            }
            tx.Commit();
            tx.Dispose();
            progress(done);
            await Task.CompletedTask;
        }

        public override Task AnalyzeAsync() => ExecAsync("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);");
        public override Task DurableAsync() => ExecAsync("PRAGMA synchronous=FULL;");
    }

    sealed class PostgresStore(NpgsqlConnection c) : StrategyStore(c, "postgres")
    {
        protected override string Folder => "Postgres";
        public override string TimelinesDdl =>
            "CREATE TABLE timelines (owner_id BIGINT NOT NULL, post_id BIGINT NOT NULL, PRIMARY KEY (owner_id, post_id))";

        public override async Task BulkAsync(string table, string[] columns, IEnumerable<object?[]> rows, Action<long> progress)
        {
            long done = 0;
            await using (var writer = await c.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var row in rows)
                {
                    await writer.StartRowAsync();
                    foreach (var v in row)
                    {
                        switch (v)
                        {
                            case null: await writer.WriteNullAsync(); break;
                            case long l: await writer.WriteAsync(l, NpgsqlDbType.Bigint); break;
                            case int i: await writer.WriteAsync(i, NpgsqlDbType.Integer); break;
                            case bool b: await writer.WriteAsync(b, NpgsqlDbType.Boolean); break;
                            case string s: await writer.WriteAsync(s, NpgsqlDbType.Text); break;
                            case DateTime d: await writer.WriteAsync(d, NpgsqlDbType.TimestampTz); break;
                            default: throw new ArgumentException($"No COPY mapping for {v.GetType()}");
                        }
                    }
                    if (++done % 100_000 == 0) progress(done);
                }
                await writer.CompleteAsync();
            }
            progress(done);
        }

        public override Task AnalyzeAsync() => ExecAsync("VACUUM ANALYZE");
        public override Task DurableAsync() => Task.CompletedTask;
    }
}
