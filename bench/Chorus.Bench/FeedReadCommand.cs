using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Spectre.Console;

namespace Chorus.Bench;

/// <summary>
/// Home-feed reads against the running server on the demo data: <c>/healthz</c> (the ceiling), the first page of the
/// home feed, and clients walking five pages deep, each as a closed loop of 64 keep-alive clients.
/// </summary>
public static class FeedReadCommand
{
    public sealed record Options(int Concurrency, int Users, TimeSpan WarmUp, TimeSpan Duration, string Label, int Port);

    const string HomePath = "/api/v1/timelines/home?limit=20";

    public static async Task<int> RunAsync(Options o)
    {
        AnsiConsole.MarkupLine("[grey]Building the server (Release)…[/]");
        var dll = ServerProcess.Build();
        var pg = Environment.GetEnvironmentVariable("CHORUS_BENCH_PG");
        await RunOneAsync(dll, "sqlite", new Dictionary<string, string>(), o);
        if (!string.IsNullOrWhiteSpace(pg))
        {
            var (cs, drop) = await CreatePgDatabaseAsync(pg);
            try
            {
                await RunOneAsync(dll, "postgres", new Dictionary<string, string>
                {
                    ["Chorus__Database__Provider"] = "Postgres",
                    ["ConnectionStrings__Chorus"] = cs,
                }, o with { Port = o.Port + 1 });
            }
            finally { await drop(); }
        }
        return 0;
    }

    static async Task RunOneAsync(string dll, string database, Dictionary<string, string> env, Options o)
    {
        AnsiConsole.MarkupLine($"[bold]feed-read on {database}[/]: starting the server with the demo seed on port {o.Port}…");
        await using var server = await ServerProcess.StartAsync(dll, o.Port, env, TimeSpan.FromMinutes(5));
        var tokens = await SignInAsync(server.BaseAddress, o.Users);
        AnsiConsole.MarkupLine($"Signed in {tokens.Count} demo users. Measuring {o.Concurrency} clients, {o.WarmUp.TotalSeconds:F0} s warm-up + {o.Duration.TotalSeconds:F0} s each.");

        var health = await LoadGenerator.RunAsync("healthz", server.BaseAddress, o.Concurrency, o.WarmUp, o.Duration,
            (c, ct) => c.GetAsync("/healthz", null, "healthz", ct));
        Print(health);

        var iterations = new int[o.Concurrency];
        string TokenFor(LoadClient c) => tokens[(c.Index + o.Concurrency * iterations[c.Index]++) % tokens.Count];

        var home = await LoadGenerator.RunAsync("home", server.BaseAddress, o.Concurrency, o.WarmUp, o.Duration,
            (c, ct) => c.GetAsync(HomePath, TokenFor(c), "home", ct));
        Print(home);

        var deep = await LoadGenerator.RunAsync("home-5-pages", server.BaseAddress, o.Concurrency, o.WarmUp, o.Duration, async (c, ct) =>
        {
            var token = TokenFor(c);
            string? cursor = null;
            for (var page = 1; page <= 5; page++)
            {
                var path = cursor is null ? HomePath : $"{HomePath}&cursor={Uri.EscapeDataString(cursor)}";
                var body = await c.GetAsync(path, token, $"page{page}", ct);
                if (body is null) return;
                cursor = JsonDocument.Parse(body).RootElement.GetProperty("nextCursor").GetString();
                if (cursor is null) return;
            }
        });
        Print(deep);

        var ratio = home.RequestsPerSecond / health.RequestsPerSecond;
        var deepRatio = deep.RequestsPerSecond / health.RequestsPerSecond;
        var page5 = deep.Series.GetValueOrDefault("page5") ?? new Latencies(0, 0, 0, 0, 0);
        var rows = new List<BenchRow>
        {
            new($"GET /healthz, {o.Concurrency} clients", Describe(health)),
            new($"GET /timelines/home?limit=20, {o.Concurrency} clients, {tokens.Count} users", Describe(home),
                $"{Report.Num(health.RequestsPerSecond)} req/s", $"{ratio:P0}", "≥ 25% of /healthz, p99 ≤ 10 ms"),
            new($"home feed walked 5 pages deep (nextCursor), {o.Concurrency} clients", $"{Describe(deep)}; page 5 alone: {page5.Describe()}",
                $"{Report.Num(health.RequestsPerSecond)} req/s", $"{deepRatio:P0}"),
        };
        var details = JsonSerializer.SerializeToNode(new { health, home, deep, users = tokens.Count, o.Concurrency, warmUpSeconds = o.WarmUp.TotalSeconds, durationSeconds = o.Duration.TotalSeconds });
        var file = Report.Save(new BenchRun("feed-read", database, o.Label, DateTime.UtcNow, Report.Commit(), Machine.Current(), rows, details));
        AnsiConsole.MarkupLine($"Home feed: [bold]{ratio:P0}[/] of /healthz; p99 {Report.Ms(home.Latency.P99)} ms. Saved {Markup.Escape(file)}; docs/benchmarks.md regenerated.");
    }

    static string Describe(LoadResult r) =>
        $"{Report.Num(r.RequestsPerSecond)} req/s; {r.Latency.Describe()}" + (r.Errors > 0 ? $"; {r.Errors} errors" : "");

    static void Print(LoadResult r)
    {
        var table = new Table().AddColumns("workload", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors");
        table.AddRow(r.Name, Report.Num(r.RequestsPerSecond), Report.Ms(r.Latency.P50), Report.Ms(r.Latency.P90), Report.Ms(r.Latency.P99), Report.Ms(r.Latency.Max), r.Errors.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (r.Series.Count > 1)
            foreach (var (name, l) in r.Series.OrderBy(s => s.Key, StringComparer.Ordinal))
                table.AddRow("  " + name, Report.Num(l.Count / r.Seconds), Report.Ms(l.P50), Report.Ms(l.P90), Report.Ms(l.P99), Report.Ms(l.Max), "");
        AnsiConsole.Write(table);
    }

    /// <summary>Collects demo handles from the directory, then a personal access token for each of the first <paramref name="users"/>.</summary>
    internal static async Task<List<string>> SignInAsync(Uri baseAddress, int users)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var first = await TokenAsync(http, "ada") ?? throw new InvalidOperationException("Could not sign in as the demo user 'ada'.");
        var handles = new List<string>();
        string? cursor = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/people?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            request.Headers.Authorization = new("Bearer", first);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            handles.AddRange(page["items"]!.AsArray().Select(p => p!["handle"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null && handles.Count < users * 2);

        // Admin and deactivated accounts are fine readers too; skip any handle whose sign-in fails (for example a locked account).
        var tokens = new List<string>();
        using var gate = new SemaphoreSlim(2);
        var tasks = handles.Take(users).Select(async h =>
        {
            await gate.WaitAsync();
            try { return await TokenAsync(http, h); }
            finally { gate.Release(); }
        });
        foreach (var t in await Task.WhenAll(tasks)) if (t is not null) tokens.Add(t);
        return tokens;
    }

    internal static async Task<string?> TokenAsync(HttpClient http, string handle, string scope = "read")
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/tokens", new { handle, password = "chorus-demo", name = "bench", scope });
        if (!response.IsSuccessStatusCode) return null;
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    static async Task<(string ConnectionString, Func<Task> Drop)> CreatePgDatabaseAsync(string adminConnectionString)
    {
        var name = $"chorus_bench_{DateTime.UtcNow:yyyyMMddHHmmss}";
        await using (var admin = new NpgsqlConnection(adminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
        return (cs, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(adminConnectionString);
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await cmd.ExecuteNonQueryAsync();
        });
    }
}
