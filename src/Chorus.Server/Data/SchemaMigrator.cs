using System.Data.Common;
using System.Reflection;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Data;

/// <summary>
/// Applies the ordered SQL scripts under Data/Migrations/{Sqlite|Postgres} that a database has not seen yet,
/// each in its own transaction together with its row in schema_migrations. Several nodes starting at once
/// on PostgreSQL serialize on an advisory lock; on SQLite the write lock does the same.
/// (The EF design-time tool is not available here, so migrations are plain SQL: see docs/adr/002.)
/// It runs on a connection of its own, not EF Core's, so start-up does not wait for EF Core's model
/// (<see cref="DatabaseSetup.OpenConnectionAsync"/>).
/// </summary>
public sealed class SchemaMigrator(ChorusSettings settings, ILogger<SchemaMigrator> log)
{
    const long AdvisoryLockKey = 0x43686F727573; // "Chorus"

    public sealed record Script(int Version, string Name, string Sql);

    public static IReadOnlyList<Script> Scripts(DatabaseProvider provider)
    {
        var asm = typeof(SchemaMigrator).Assembly;
        var prefix = $"{asm.GetName().Name}.Data.Migrations.{provider}.";
        return asm.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..];
                // Resource names of files starting with a digit get a leading underscore.
                var name = file.TrimStart('_');
                var version = int.Parse(name[..name.IndexOf('_')], System.Globalization.CultureInfo.InvariantCulture);
                using var stream = asm.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new Script(version, name[..^4], reader.ReadToEnd());
            })
            .OrderBy(s => s.Version)
            .ToList();
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<DatabaseProvider, int> Latest = new();

    /// <summary>The newest script's version (cached: the readiness check asks on every call).</summary>
    public static int LatestVersion(DatabaseProvider provider) => Latest.GetOrAdd(provider, p => Scripts(p)[^1].Version);

    /// <summary>Brings the schema to <paramref name="targetVersion"/> (default: the newest). Returns the versions applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(int? targetVersion = null, CancellationToken ct = default)
    {
        await using var connection = await DatabaseSetup.OpenConnectionAsync(settings, ct);
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            // WAL is a property of the file and persists; synchronous is set per connection by SqlitePragmas.
            await ExecAsync(connection, "PRAGMA journal_mode=WAL;", ct);
        }
        else
        {
            await ExecAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey});", ct);
        }

        try
        {
            var ts = settings.Provider == DatabaseProvider.Sqlite ? "TEXT" : "TIMESTAMPTZ";
            await ExecAsync(connection,
                $"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {ts} NOT NULL);", ct);
            var applied = new HashSet<int>();
            await using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT version FROM schema_migrations";
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetInt32(0));
            }

            // Every pending script in one transaction (DDL is transactional on both databases): all of them or none,
            // and one commit instead of one per script (a new database's start, W6 in bench/findings.md).
            var pending = Scripts(settings.Provider)
                .Where(s => !applied.Contains(s.Version) && s.Version <= (targetVersion ?? int.MaxValue)).ToList();
            if (pending.Count == 0) return [];
            await using (var tx = await connection.BeginTransactionAsync(ct))
            {
                foreach (var script in pending)
                {
                    await using (var cmd = connection.CreateCommand())
                    {
                        cmd.Transaction = tx;
                        cmd.CommandText = script.Sql;
                        await cmd.ExecuteNonQueryAsync(ct);
                    }
                    await using (var cmd = connection.CreateCommand())
                    {
                        cmd.Transaction = tx;
                        cmd.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)";
                        AddParameter(cmd, "@v", script.Version);
                        AddParameter(cmd, "@n", script.Name);
                        AddParameter(cmd, "@t", settings.Provider == DatabaseProvider.Sqlite
                            ? DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture)
                            : DateTime.UtcNow);
                        await cmd.ExecuteNonQueryAsync(ct);
                    }
                }
                await tx.CommitAsync(ct);
            }
            foreach (var script in pending) log.LogInformation("Applied schema migration {Version} {Name}", script.Version, script.Name);
            return [.. pending.Select(s => s.Version)];
        }
        finally
        {
            if (settings.Provider == DatabaseProvider.Postgres)
                await ExecAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey});", CancellationToken.None);
        }
    }

    /// <summary>The schema's version, 0 before the first migration.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await DatabaseSetup.OpenConnectionAsync(settings, ct);
        try { return await ReadVersionAsync(connection, ct); }
        catch (DbException) { return 0; }
    }

    /// <summary>The highest applied version; throws a <see cref="DbException"/> when schema_migrations does not exist.</summary>
    public static async Task<int> ReadVersionAsync(DbConnection connection, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    static async Task ExecAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
