using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chorus.Tests;

/// <summary>
/// A real Chorus server (in-process host, real HTTP pipeline) on a real database: a fresh SQLite file, or a fresh
/// PostgreSQL database created on the server named by CHORUS_TEST_PG (test.sh starts one).
/// </summary>
public sealed class ChorusServer : WebApplicationFactory<Program>
{
    public const string Password = "password-1234";
    public string Provider { get; }
    readonly string _dataDir = Path.Combine(Path.GetTempPath(), "chorus-tests", Guid.NewGuid().ToString("N"));
    readonly string? _pgDatabase;
    readonly string? _connectionString;
    readonly Dictionary<string, string?> _settings;

    public ChorusServer(string provider, IDictionary<string, string?>? settings = null)
    {
        Provider = provider;
        _settings = new Dictionary<string, string?>
        {
            ["Chorus:DataDirectory"] = _dataDir,
            ["Chorus:Database:Provider"] = provider,
            ["Chorus:Demo:Seed"] = "false",
            // Fast hashing in tests: the iteration count is a setting, the algorithm is the production one.
            ["Chorus:Security:PasswordIterations"] = "1000",
            ["Chorus:Security:SignInPerMinute"] = "100000",
            ["Chorus:Security:PostsPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (provider == "Postgres")
        {
            var admin = AdminConnectionString();
            _pgDatabase = "chorus_test_" + Guid.NewGuid().ToString("N")[..12];
            using (var c = new NpgsqlConnection(admin))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"CREATE DATABASE {_pgDatabase}";
                cmd.ExecuteNonQuery();
            }
            _connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = _pgDatabase }.ConnectionString;
            _settings["ConnectionStrings:Chorus"] = _connectionString;
        }
        if (settings is not null)
            foreach (var (k, v) in settings) _settings[k] = v;
        // A real Kestrel server on a loopback port: tests speak real HTTP, and streams behave as they do in production.
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
    }

    public static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable("CHORUS_TEST_PG") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "PostgreSQL tests need CHORUS_TEST_PG (e.g. 'Host=127.0.0.1;Port=55432;Username=postgres'). Run ./test.sh, which starts one.");

    public string DataDirectory => _dataDir;
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
    }

    /// <summary>Runs code with the server's services (a fresh scope).</summary>
    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public async Task WithScopeAsync(Func<IServiceProvider, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    public static string NewHandle(string prefix = "u") => prefix + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Creates a person directly through the service and returns them with an API client holding a token.</summary>
    public async Task<TestUser> CreateUserAsync(string? handle = null, bool admin = false, string scope = "write", string? department = null, string? managerHandle = null, string? role = null)
    {
        handle ??= NewHandle();
        return await WithScopeAsync(async sp =>
        {
            var people = sp.GetRequiredService<PeopleService>();
            var created = await people.CreateAsync(new NewPerson(handle, "Test " + handle, handle + "@example.com", "Tester", department ?? "QA",
                null, managerHandle, null, role ?? (admin ? "admin" : "member"), Password), CancellationToken.None);
            if (!created.Ok) throw new InvalidOperationException(created.Problem!.Detail);
            var token = await sp.GetRequiredService<CredentialService>().CreateTokenAsync(created.Value!.Id, "tests", scope, null, CancellationToken.None);
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Value!.Token);
            return new TestUser(created.Value!.Id, handle, token.Value!.Token, client);
        });
    }

    public async Task<T> InDbAsync<T>(Func<ChorusDb, Task<T>> query) => await WithScopeAsync(sp => query(sp.GetRequiredService<ChorusDb>()));

    protected override void Dispose(bool disposing)
    {
        Realtime.StreamDiagnostics.Forget(this);
        base.Dispose(disposing);
        if (!disposing) return;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        try { if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
        if (_pgDatabase is not null)
        {
            using var c = new NpgsqlConnection(AdminConnectionString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)";
            cmd.ExecuteNonQuery();
        }
    }
}

public sealed record TestUser(long Id, string Handle, string Token, HttpClient Client)
{
    public async Task<HttpResponseMessage> PostAsync(string text, string? replyTo = null) =>
        await Client.PostAsJsonAsync("/api/v1/posts", new { text, replyTo });
}

/// <summary>One server per database for the whole run; tests make their own people and posts, so they never collide.</summary>
public sealed class Servers : IAsyncDisposable
{
    readonly Lazy<ChorusServer> _sqlite = new(() => Start(new ChorusServer("Sqlite")));
    readonly Lazy<ChorusServer> _postgres = new(() => Start(new ChorusServer("Postgres")));

    public ChorusServer this[string provider] => provider switch
    {
        "Sqlite" => _sqlite.Value,
        "Postgres" => _postgres.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    static ChorusServer Start(ChorusServer server)
    {
        server.StartServer(); // starts the host, which applies migrations
        Realtime.StreamDiagnostics.Track(server);
        return server;
    }

    public ValueTask DisposeAsync()
    {
        if (_sqlite.IsValueCreated) _sqlite.Value.Dispose();
        if (_postgres.IsValueCreated) _postgres.Value.Dispose();
        return ValueTask.CompletedTask;
    }
}

public static class Databases
{
    /// <summary>Every data-touching test is a theory over both providers.</summary>
    public static TheoryData<string> Both => new() { "Sqlite", "Postgres" };
}
