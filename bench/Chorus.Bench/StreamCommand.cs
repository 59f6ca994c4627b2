using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Chorus.Bench;

/// <summary>
/// Streaming at scale: N idle SSE connections on <c>stream=company</c>, server memory per idle connection, then M
/// posts at a fixed rate and the post→client delivery latency over every delivery. The same client measures a bare
/// ASP.NET Core SSE broadcaster (bench/BareSse) in the same run as the ceiling.
/// </summary>
public static class StreamCommand
{
    /// <param name="Quiet">How long a server is left alone before its memory is read, and after the warm-up posts.</param>
    /// <param name="SaveAs">The command and database the results are stored under (`run` stores W3 and W4 as its own).</param>
    public sealed record Options(int[] Connections, int Posts, int Rate, int Users, string Label, int Port, string Dump = "", string Trace = "",
        string Db = "sqlite", string? PostgresAdmin = null, TimeSpan? Quiet = null, (string Command, string Database)? SaveAs = null,
        string? ServerDll = null, int? BarePort = null)
    {
        public TimeSpan QuietTime => Quiet ?? TimeSpan.FromSeconds(3);
    }

    /// <param name="BytesPerConnection">RSS delta per connection after a full collection in the server (the target's reading).</param>
    /// <param name="RawBytesPerConnection">RSS delta per connection without forcing a collection: includes connect-time garbage.</param>
    /// <param name="LiveBytesPerConnection">Live managed heap delta per connection after a full collection.</param>
    public sealed record Measured(
        string Server, int Connections, int Opened, int Failed, string? FirstFailure, long RssBeforeBytes, long RssAfterBytes,
        double BytesPerConnection, double RawBytesPerConnection, long LiveBeforeBytes, long LiveAfterBytes, double LiveBytesPerConnection, int Posts, int Rate, long Expected, long Delivered, double DeliveriesPerSecond, Latencies Latency, int EventBytes, Latencies PostResponse);

    public static async Task<int> RunAsync(Options o)
    {
        if (o.Trace.Length > 0) Report.UseOutput(o.Trace);
        var limit = OpenFileLimit();
        AnsiConsole.MarkupLine($"Open-file limit of this process (ulimit -n): [bold]{limit}[/]; each connection takes one descriptor here and one in the server.");
        if (o.Connections.Max() + 200 > limit)
        {
            AnsiConsole.MarkupLine($"[red]Raise `ulimit -n` above {o.Connections.Max() + 200} in the shell that starts the bench (the server inherits it).[/]");
            return 2;
        }
        AnsiConsole.MarkupLine("[grey]Building the server and the bare SSE ceiling (Release)…[/]");
        var chorusDll = o.ServerDll ?? ServerProcess.Build();
        var bareDll = ServerProcess.Build(Path.Combine("bench", "BareSse"), "BareSse.dll");
        Probe.Dll = ServerProcess.Build(Path.Combine("bench", "GcProbe"), "GcProbe.dll");

        var results = new List<(Measured Bare, Measured Chorus)>();
        foreach (var n in o.Connections)
        {
            var bare = await MeasureBareAsync(bareDll, n, o, eventBytes: 1200);
            var chorus = await MeasureChorusAsync(chorusDll, n, o);
            // The bare broadcaster is measured again if Chorus's events turned out much larger than the first guess,
            // so both move about the same bytes per delivery.
            if (chorus.EventBytes > 0 && Math.Abs(chorus.EventBytes - bare.EventBytes) > 300)
                bare = await MeasureBareAsync(bareDll, n, o, chorus.EventBytes);
            results.Add((bare, chorus));
        }

        var rows = new List<BenchRow>();
        foreach (var (bare, chorus) in results)
        {
            var memRatio = chorus.BytesPerConnection / bare.BytesPerConnection;
            var latRatio = chorus.Latency.P99 / bare.Latency.P99;
            rows.Add(new($"W4 idle SSE memory per connection, {Report.Num(chorus.Connections)} connections (server RSS delta / N, each server after a full collection)",
                $"{Kib(chorus.BytesPerConnection)}; without the collection {Kib(chorus.RawBytesPerConnection)}; live managed heap {Kib(chorus.LiveBytesPerConnection)}" +
                (chorus.Failed > 0 ? $"; {chorus.Failed} connections failed" : ""),
                $"{Kib(bare.BytesPerConnection)} (bare SSE; without the collection {Kib(bare.RawBytesPerConnection)}; live managed heap {Kib(bare.LiveBytesPerConnection)})",
                $"{memRatio:F2}× (without the collection {chorus.RawBytesPerConnection / bare.RawBytesPerConnection:F2}×; live heap {chorus.LiveBytesPerConnection / bare.LiveBytesPerConnection:F2}×)",
                "≤ 1.25× bare", memRatio <= 1.25 ? "yes" : "**no**"));
            rows.Add(new($"W3 post→client delivery, {Report.Num(chorus.Connections)} connections, {chorus.Posts} posts at {chorus.Rate}/s",
                Describe(chorus), $"bare SSE: {Describe(bare)}", $"p99 {latRatio:F2}×", chorus.Connections >= 10_000 ? "p99 ≤ 1.5× bare" : "—",
                chorus.Connections < 10_000 ? "—" : latRatio <= 1.5 ? "yes" : "**no**"));
        }
        var details = JsonSerializer.SerializeToNode(new { openFileLimit = limit, runs = results.SelectMany(r => new[] { r.Bare, r.Chorus }), o.Users });
        var file = Report.Save(new BenchRun(o.SaveAs?.Command ?? "stream", o.SaveAs?.Database ?? o.Db, o.Label, DateTime.UtcNow, Report.Commit(), Machine.Current(), rows, details));
        AnsiConsole.MarkupLine($"Saved {Markup.Escape(file)}; docs/benchmarks.md regenerated.");
        return 0;
    }

    static string Kib(double bytes) => $"{(bytes / 1024).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} KiB";

    static string Describe(Measured m) =>
        $"{m.Latency.Describe()}; {Report.Num(m.DeliveriesPerSecond)} deliveries/s; {Report.Num(m.Delivered)} of {Report.Num(m.Expected)} delivered; " +
        $"the post request itself p50 {Report.Ms(m.PostResponse.P50)} ms, p99 {Report.Ms(m.PostResponse.P99)} ms";

    static async Task<Measured> MeasureBareAsync(string dll, int n, Options o, int eventBytes)
    {
        AnsiConsole.MarkupLine($"[bold]bare SSE[/], {n} connections: starting on port {(o.BarePort ?? o.Port + 1)}…");
        var probe = new Probe();
        await using var server = await ServerProcess.StartAsync(dll, (o.BarePort ?? o.Port + 1), probe.Environment(new Dictionary<string, string>()), TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        // Pad the payload to the size of a Chorus post event so both move the same bytes per delivery.
        var pad = new string('p', Math.Max(0, eventBytes - 120));
        return await MeasureAsync("bare", server, probe, "/sse", [], n, o, eventBytes,
            post => http.PostAsync("/broadcast", new StringContent(JsonSerializer.Serialize(new { text = $"bm{post}x benchmark", pad }))));
    }

    static async Task<Measured> MeasureChorusAsync(string dll, int n, Options o)
    {
        AnsiConsole.MarkupLine($"[bold]Chorus[/] on {o.Db}, {n} connections: starting with the demo seed on port {o.Port}…");
        var probe = new Probe();
        // On PostgreSQL the server gets a database of its own, dropped afterwards; events are still delivered by the
        // node's own dispatcher (one node), signalled in-process and by LISTEN/NOTIFY.
        var database = o.Db == "postgres" ? $"{Run.BenchDatabase.DatabasePrefix}_stream_{DateTime.UtcNow:HHmmssfff}" : null;
        if (database is not null) await Run.BenchDatabase.AdminAsync(o.PostgresAdmin!, $"CREATE DATABASE {database}");
        await using var dropDatabase = new Finally(() => database is null ? Task.CompletedTask : Run.BenchDatabase.AdminAsync(o.PostgresAdmin!, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
        var pg = database is null ? new Dictionary<string, string>() : new Dictionary<string, string>
        {
            ["Chorus__Database__Provider"] = "Postgres",
            ["ConnectionStrings__Chorus"] = new Npgsql.NpgsqlConnectionStringBuilder(o.PostgresAdmin) { Database = database }.ConnectionString,
        };
        await using var server = await ServerProcess.StartAsync(dll, o.Port, probe.Environment(new Dictionary<string, string>(pg)
        {
            ["Chorus__Streaming__MaxConnectionsPerPerson"] = (n / Math.Max(1, o.Users / 2) + 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Chorus__Security__PostsPerMinute"] = "100000",
            // The demo people's passwords hashed and checked with few iterations: seeding and signing in hundreds of
            // them took seconds of the two cores before anything was measured (as BenchDatabase does for `run`).
            ["Chorus__Security__PasswordIterations"] = "1000",
            ["Logging__LogLevel__Default"] = "Warning",
        }), TimeSpan.FromMinutes(5));
        var tokens = await FeedReadCommand.SignInAsync(server.BaseAddress, o.Users);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var writer = await FeedReadCommand.TokenAsync(http, "ben", "write") ?? throw new InvalidOperationException("Could not sign in as 'ben'.");
        http.DefaultRequestHeaders.Authorization = new("Bearer", writer);
        AnsiConsole.MarkupLine($"Signed in {tokens.Count} demo users.");
        return await MeasureAsync("chorus", server, probe, "/api/v1/streaming?stream=company", tokens.Cast<string?>().ToList(), n, o, 0,
            // The same request shape as the bare loop's: a buffered body with a Content-Length, sent with the headers
            // (PostAsJsonAsync streams it chunked, which the server reads in more round trips).
            post => http.PostAsync("/api/v1/posts", new StringContent(JsonSerializer.Serialize(new { text = $"bm{post}x benchmark" }), System.Text.Encoding.UTF8, "application/json")));
    }

    static async Task<Measured> MeasureAsync(string name, ServerProcess server, Probe probe, string path, IReadOnlyList<string?> tokens, int n, Options o,
        int eventBytes, Func<int, Task<HttpResponseMessage>> post)
    {
        var rawBefore = await SettledRssAsync(server, o.QuietTime);
        var liveBefore = await probe.CollectAsync(server.Pid);
        Dump(server, o, $"{name}-{n}-before");
        var before = await SettledRssAsync(server, o.QuietTime);
        await using var swarm = await SseSwarm.OpenAsync(server.BaseAddress, path, tokens, n, o.Posts);
        var rawAfter = await SettledRssAsync(server, o.QuietTime);
        var liveAfter = await probe.CollectAsync(server.Pid);
        Dump(server, o, $"{name}-{n}-after");
        var after = await SettledRssAsync(server, o.QuietTime);
        double PerConnection(long from, long to) => swarm.Count > 0 ? (to - from) / (double)swarm.Count : 0;
        var perConnection = PerConnection(before, after);
        AnsiConsole.MarkupLine($"  {swarm.Count} open ({swarm.Failed} failed{(swarm.FirstFailure is null ? "" : ": " + Markup.Escape(swarm.FirstFailure))}); " +
            $"after a full collection RSS {before / 1048576.0:F1} → {after / 1048576.0:F1} MiB = {perConnection / 1024:F1} KiB per connection " +
            $"(without it {PerConnection(rawBefore, rawAfter) / 1024:F1} KiB; live heap {PerConnection(liveBefore, liveAfter) / 1024:F1} KiB)");

        // Warm-up: as many posts as are measured, at the same rate, not counted (their markers lie beyond the
        // measured range), so tiered JIT compilation of the delivery path (~10% of the CPU samples right after start,
        // in both servers) is over before the measured posts.
        var clockUp = Stopwatch.StartNew();
        var warmups = new List<Task<HttpResponseMessage>>();
        for (var p = 0; p < o.Posts; p++)
        {
            var due = TimeSpan.FromSeconds(p / (double)o.Rate);
            if (due > clockUp.Elapsed) await Task.Delay(due - clockUp.Elapsed);
            warmups.Add(post(o.Posts + p));
        }
        await Task.WhenAll(warmups);
        await Task.Delay(o.QuietTime);

        // A CPU profile of the server over the posting phase (--trace; such a run's results stay out of the report).
        await using var profile = Profiler.Start(o.Trace, server.Pid, $"stream-{name}-{n}", TimeSpan.FromSeconds(Math.Max(5, o.Posts / o.Rate)));
        // Fixed-rate posting: post p is due at p / rate seconds; each is timestamped just before it is sent.
        var sent = new long[o.Posts];
        var requests = new List<Task<(HttpResponseMessage Response, double Ms)>>();
        var clock = Stopwatch.StartNew();
        for (var p = 0; p < o.Posts; p++)
        {
            var due = TimeSpan.FromSeconds(p / (double)o.Rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            sent[p] = Stopwatch.GetTimestamp();
            requests.Add(Timed(post(p), sent[p]));
        }
        var timed = await Task.WhenAll(requests);
        var responses = timed.Select(t => t.Response).ToList();
        var rejected = responses.Count(r => !r.IsSuccessStatusCode);
        if (rejected > 0) AnsiConsole.MarkupLine($"  [red]{rejected} posts were rejected (first: {(int)responses.First(r => !r.IsSuccessStatusCode).StatusCode})[/]");

        // Wait until every delivery arrived, or nothing new arrived for 10 s.
        var expected = (long)swarm.Count * o.Posts;
        long delivered = 0;
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(200);
            var now = swarm.Delivered(o.Posts);
            if (now != delivered) { delivered = now; quiet.Restart(); }
            if (delivered >= expected) break;
        }
        var (latencies, last) = swarm.Latencies(sent);
        var seconds = last == 0 ? 0 : Stopwatch.GetElapsedTime(sent[0], last).TotalSeconds;
        var result = new Measured(name, n, swarm.Count, swarm.Failed, swarm.FirstFailure, before, after, perConnection,
            PerConnection(rawBefore, rawAfter), liveBefore, liveAfter, PerConnection(liveBefore, liveAfter), o.Posts, o.Rate,
            expected, latencies.Count, seconds > 0 ? latencies.Count / seconds : 0, Latencies.Of(latencies),
            eventBytes > 0 ? eventBytes : swarm.FirstEventBytes, Latencies.Of(timed.Select(t => t.Ms)));
        AnsiConsole.MarkupLine($"  delivery: {Markup.Escape(Describe(result))}");
        return result;
    }

    /// <summary>The post request's own latency (sent until answered): the write path, without the fan-out.</summary>
    static async Task<(HttpResponseMessage, double)> Timed(Task<HttpResponseMessage> request, long sent)
    {
        var response = await request;
        return (response, Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
    }

    /// <summary>RSS once the process has been left alone for a while: the lowest of several readings a second apart.</summary>
    static async Task<long> SettledRssAsync(ServerProcess server, TimeSpan quiet)
    {
        await Task.Delay(quiet);
        var lowest = long.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            lowest = Math.Min(lowest, server.ResidentBytes());
            await Task.Delay(quiet / 3);
        }
        return lowest;
    }

    /// <summary>
    /// The bench/GcProbe startup hook in a server process: asks for a full compacting collection and reads the live
    /// managed heap, so both servers are measured without the garbage their connects left behind.
    /// </summary>
    sealed class Probe
    {
        public static string Dll = "";
        readonly string _dir = Directory.CreateTempSubdirectory("gcprobe-").FullName;

        public IReadOnlyDictionary<string, string> Environment(Dictionary<string, string> env)
        {
            env["DOTNET_STARTUP_HOOKS"] = Dll;
            env["GCPROBE_DIR"] = _dir;
            return env;
        }

        /// <summary>Live managed heap bytes after the collection.</summary>
        public async Task<long> CollectAsync(int pid)
        {
            var result = Path.Combine(_dir, "collected");
            File.Delete(result);
            using (var kill = Process.Start("kill", ["-WINCH", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            var waited = Stopwatch.StartNew();
            while (!File.Exists(result))
            {
                if (waited.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("The server's GC probe did not answer (is DOTNET_STARTUP_HOOKS honoured?).");
                await Task.Delay(50);
            }
            return long.Parse((await File.ReadAllTextAsync(result)).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Runs an action when disposed (after the server it outlives has stopped).</summary>
    sealed class Finally(Func<Task> action) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await action();
    }

    /// <summary>A heap dump of the server (the runtime's createdump) into --dump, when given: for profiling, not for the report.</summary>
    static void Dump(ServerProcess server, Options o, string name)
    {
        if (o.Dump.Length == 0) return;
        Directory.CreateDirectory(o.Dump);
        var createdump = Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "createdump");
        var file = Path.GetFullPath(Path.Combine(o.Dump, name + ".dmp"));
        using var p = Process.Start(new ProcessStartInfo(createdump, ["--withheap", "-f", file, server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
        p.WaitForExit();
        AnsiConsole.MarkupLine($"  [grey]heap dump {Markup.Escape(file)} (exit {p.ExitCode})[/]");
    }

    static long OpenFileLimit()
    {
        var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
