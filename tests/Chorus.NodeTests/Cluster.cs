using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Chorus.NodeTests;

/// <summary>
/// A fresh PostgreSQL database and two server processes (A and B) sharing it. People are made the way an operator
/// would: the first admin with the chorus CLI, members through the admin API, tokens by password.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    readonly string _adminConnection;
    readonly string _database;
    readonly string _workDir;
    string? _adminToken;
    int _people;

    public string ConnectionString { get; }
    public NodeProcess A { get; private set; } = null!;
    public NodeProcess B { get; private set; } = null!;

    Cluster(string adminConnection, string database, string connectionString, string workDir)
    {
        (_adminConnection, _database, ConnectionString, _workDir) = (adminConnection, database, connectionString, workDir);
    }

    public static async Task<Cluster> StartAsync()
    {
        var pg = Environment.GetEnvironmentVariable("CHORUS_TEST_PG");
        if (string.IsNullOrWhiteSpace(pg))
            throw new InvalidOperationException(
                "CHORUS_TEST_PG is not set. The node tests need PostgreSQL: set it to an Npgsql connection string of a user " +
                "that may create databases (for example Host=127.0.0.1;Port=5432;Username=postgres), or run ./test.sh, which starts one.");
        var database = "chorus_nodes_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(pg))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(pg) { Database = database }.ConnectionString;
        var cluster = new Cluster(pg, database, cs, Directory.CreateTempSubdirectory("chorus-nodes-").FullName);
        try
        {
            // A first, alone, so the schema migration runs once before B starts against the migrated database.
            cluster.A = NodeProcess.Start("A", cs, Path.Combine(cluster._workDir, "a"));
            await cluster.A.WaitUntilReadyAsync();
            cluster.B = NodeProcess.Start("B", cs, Path.Combine(cluster._workDir, "b"));
            await cluster.B.WaitUntilReadyAsync();
            await cluster.CreateAdminAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Both nodes' output, for failure messages.</summary>
    public string Logs => $"--- node A ---\n{A?.Log}\n--- node B ---\n{B?.Log}";

    public static HttpClient Client(NodeProcess node, string? token = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(node.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    async Task CreateAdminAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { NodeProcess.BuiltDll("src/Chorus.Cli", "chorus.dll"), "create-admin", "--handle", "root", "--name", "Root Admin", "--email", "root@example.com", "--password-stdin" },
            WorkingDirectory = _workDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Chorus__Database__Provider"] = "Postgres";
        start.Environment["ConnectionStrings__Chorus"] = ConnectionString;
        start.Environment["Chorus__DataDirectory"] = _workDir;
        using var cli = Process.Start(start)!;
        await cli.StandardInput.WriteLineAsync(Password);
        cli.StandardInput.Close();
        var output = cli.StandardOutput.ReadToEndAsync();
        var errors = cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();
        if (cli.ExitCode != 0) throw new InvalidOperationException($"chorus create-admin exited with {cli.ExitCode}:\n{await output}\n{await errors}");
        _adminToken = await TokenAsync("root");
    }

    const string Password = "node-tests-password-1";

    /// <summary>A new member created through node A's admin API, and a write token for them.</summary>
    public async Task<(string Handle, string Token)> CreateMemberAsync()
    {
        var handle = $"member{Interlocked.Increment(ref _people)}";
        using var admin = Client(A, _adminToken);
        var created = await admin.PostAsJsonAsync("/api/v1/people", new { handle, displayName = $"Member {handle}", email = $"{handle}@example.com", password = Password });
        if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"Creating {handle} failed: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        return (handle, await TokenAsync(handle));
    }

    async Task<string> TokenAsync(string handle)
    {
        using var anonymous = Client(A);
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/tokens", new { handle, password = Password, name = "node-tests", scope = "write" });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Token for {handle} failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>Posts through the given node and returns the post's id.</summary>
    public static async Task<string> PostAsync(HttpClient author, string text)
    {
        var response = await author.PostAsJsonAsync("/api/v1/posts", new { text });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Posting '{text}' failed: {(int)response.StatusCode} {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id");
        return id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
    }

    /// <summary>Runs one scalar query on the cluster's database, as an operator with psql would.</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        try
        {
            await using var admin = new NpgsqlConnection(_adminConnection);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException) { /* a leftover test database is harmless; the servers are already gone */ }
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { /* temp dir */ }
    }
}
