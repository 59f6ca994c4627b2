using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Chorus.Bench.Strategy;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using Spectre.Console;

namespace Chorus.Bench.Run;

/// <summary>
/// One database the server runs on for `run`: a SQLite file in a temp data directory or a PostgreSQL database of
/// its own (prefix from <see cref="DatabasePrefix"/>). Measures start-up (W6) on it empty, loads the generated
/// organization through the bulk paths with one known password for everyone, and restarts the server on it.
/// </summary>
public sealed class BenchDatabase(string name, string? postgresAdmin, int port) : IAsyncDisposable
{
    public const string Password = "chorus-bench-password";
    /// <summary>Few PBKDF2 iterations so that signing in hundreds of generated people takes seconds, not minutes.</summary>
    const int PasswordIterations = 1_000;
    /// <summary>PostgreSQL databases the bench creates start with this (CHORUS_BENCH_DB_PREFIX), so a shared server shows whose they are.</summary>
    public static string DatabasePrefix { get; } =
        System.Environment.GetEnvironmentVariable("CHORUS_BENCH_DB_PREFIX") is { Length: > 0 } p ? p : "chorus_bench";

    readonly string _pgDatabase = $"{DatabasePrefix}_run_{DateTime.UtcNow:HHmmssfff}";
    string _dataDir = "";

    public string Name { get; } = name;

    /// <summary>When set, the loaded database outlives the run (for profiling): SQLite's data directory moves here, a
    /// PostgreSQL database is not dropped.</summary>
    public string? KeepAs { get; init; }

    public Dictionary<string, string> Environment { get; } = new()
    {
        ["Chorus__Security__PasswordIterations"] = PasswordIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Chorus__Security__PostsPerMinute"] = "100000000",
        ["Chorus__Security__SignInPerMinute"] = "100000000",
    };

    string PgConnection => new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = _pgDatabase }.ConnectionString;

    /// <summary>A fresh, empty database (and data directory).</summary>
    public async Task ResetAsync()
    {
        DeleteDataDirectory();
        _dataDir = Path.Combine(Path.GetTempPath(), $"bench-run-{Name}-{port}-{DateTime.UtcNow:HHmmssfff}");
        Directory.CreateDirectory(_dataDir);
        if (Name != "postgres") return;
        await AdminAsync($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)");
        await AdminAsync($"CREATE DATABASE {_pgDatabase}");
        Environment["Chorus__Database__Provider"] = "Postgres";
        Environment["ConnectionStrings__Chorus"] = PgConnection;
    }

    /// <summary>
    /// The directory whose disk holds the database's log, for <see cref="DiskProbe"/>: SQLite's data directory (its
    /// <c>-wal</c> file lies beside the database), or, when the cluster runs on this machine, the directory that holds
    /// PostgreSQL's data directory if it is on the same file system as <c>pg_wal</c> (followed if it is a link to
    /// another disk), else the one that holds <c>pg_wal</c>. Null when it is not here to probe.
    /// </summary>
    public async Task<string?> LogDirectoryAsync()
    {
        if (Name != "postgres") return _dataDir.Length > 0 ? _dataDir : null;
        try
        {
            await using var admin = new NpgsqlConnection(postgresAdmin);
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand("SHOW data_directory", admin);
            if (await cmd.ExecuteScalarAsync() is not string data) return null;
            var wal = new DirectoryInfo(Path.Combine(data, "pg_wal"));
            if (!wal.Exists) return null;
            var real = wal.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? wal.FullName;
            // Beside the data directory rather than in it, when that is on the same file system as the log.
            var mounts = File.ReadAllLines("/proc/self/mountinfo");
            var beside = Path.GetDirectoryName(Path.GetFullPath(data));
            return beside is not null && DiskProbe.MountOf(mounts, beside) == DiskProbe.MountOf(mounts, real) ? beside : Path.GetDirectoryName(real);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public Task<ServerProcess> StartAsync(string dll) =>
        ServerProcess.StartAsync(dll, port, Environment, TimeSpan.FromMinutes(10), _dataDir, demoSeed: false);

    /// <summary>Bulk-loads the organization into the schema the server migrated, then gives everyone <see cref="Password"/>.</summary>
    public async Task LoadAsync(Org org)
    {
        await using var store = Name == "postgres"
            ? await StrategyStore.PostgresOpenAsync(PgConnection)
            : await StrategyStore.SqliteAsync(Path.Combine(_dataDir, "data", "chorus.db"), fresh: false);
        await OrgLoader.LoadAsync(store, org);
        var hasher = new PasswordHasher<object>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = PasswordIterations }));
        await using (var cmd = store.Connection.CreateCommand())
        {
            cmd.CommandText = "UPDATE people SET password_hash = @h";
            var p = cmd.CreateParameter();
            p.ParameterName = "@h";
            p.Value = hasher.HashPassword(new object(), Password);
            cmd.Parameters.Add(p);
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync();
        }
        await store.AnalyzeAsync();
    }

    /// <summary>Personal access tokens for generated people (handle p{id}), created over the API, a few at a time.</summary>
    public static async Task<Dictionary<int, string>> TokensAsync(Uri baseAddress, IEnumerable<int> people, string scope)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var gate = new SemaphoreSlim(4);
        var ids = people.Distinct().ToList();
        var tasks = ids.Select(async id =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await http.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = $"p{id}", password = Password, name = "bench", scope });
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"Token for p{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return (id, (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>());
            }
            finally { gate.Release(); }
        });
        return (await Task.WhenAll(tasks)).ToDictionary(t => t.id, t => t.Item2);
    }

    Task AdminAsync(string sql) => AdminAsync(postgresAdmin!, sql);

    /// <summary>One statement on the admin connection (creating and dropping the bench's databases).</summary>
    public static async Task AdminAsync(string postgresAdmin, string sql)
    {
        await using var admin = new NpgsqlConnection(postgresAdmin);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, admin);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (KeepAs is not null)
        {
            if (Name == "postgres") AnsiConsole.MarkupLine($"Kept PostgreSQL database [bold]{_pgDatabase}[/].");
            else if (_dataDir.Length > 0 && Directory.Exists(_dataDir))
            {
                if (Directory.Exists(KeepAs)) Directory.Delete(KeepAs, recursive: true);
                Directory.CreateDirectory(Path.GetDirectoryName(KeepAs)!);
                Directory.Move(_dataDir, KeepAs);
                AnsiConsole.MarkupLine($"Kept the data directory as [bold]{Markup.Escape(KeepAs)}[/].");
            }
            return;
        }
        if (Name == "postgres" && postgresAdmin is not null)
        {
            NpgsqlConnection.ClearAllPools();
            try { await AdminAsync($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)"); }
            catch (NpgsqlException e) { AnsiConsole.MarkupLine($"[yellow]Could not drop {_pgDatabase}: {Markup.Escape(e.Message)}[/]"); }
        }
        DeleteDataDirectory();
    }

    void DeleteDataDirectory()
    {
        try { if (_dataDir.Length > 0 && Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true); }
        catch (IOException) { }
    }
}
