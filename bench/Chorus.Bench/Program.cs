using System.Globalization;
using Chorus.Bench;
using Chorus.Bench.Strategy;

const string Usage = """
    Chorus benchmarks. Results go to bench/results/*.json and docs/benchmarks.md.

      feed-read      [--concurrency 64] [--users 128] [--warmup 5] [--seconds 20] [--port 5401] [--label NAME]
                     Home-feed reads against the real server process on the demo data (SQLite; also PostgreSQL when
                     CHORUS_BENCH_PG holds an admin connection string).
      feed-strategy  [--size full|medium|small] [--label NAME] [--only sqlite|postgres]
                     Read-time assembly vs stored timelines vs hybrid, raw SQL on a generated organization
                     (full: 100,000 people, 1,000,000 posts). PostgreSQL too when CHORUS_BENCH_PG is set.
      stream         [--connections 1000,10000] [--posts 100] [--rate 10] [--users 200] [--port 5601] [--label NAME] [--dump DIR]
                     [--db sqlite|postgres]
                     N idle SSE connections on stream=company (demo seed; PostgreSQL needs CHORUS_BENCH_PG): server memory per connection, then
                     posts at a fixed rate and post->client delivery latency; a bare ASP.NET Core SSE broadcaster
                     (bench/BareSse) measured the same way is the ceiling. --dump writes a heap dump of each server
                     (createdump) after the full collections before and after the connections opened, for profiling;
                     --trace DIR a CPU profile of each server while it delivers (results then go under DIR, not the report).
      run            --workloads w1,w2,w3,w5,w6,ceilings --size smoke|small|full --db sqlite|postgres|both [--port 5300] [--out DIR] [--trace DIR] [--keep DIR]
                     The one command: generates the organization at the size, and per database measures W6 start (empty
                     and loaded database), raw SQLite/PostgreSQL ceilings and /healthz, W2 home-feed reads (closed and open
                     loop, cold, deep paging), W1 posting with fan-out visibility against the real server, and W3/W4
                     streaming as `stream` does (full: 1,000 and 10,000 streams; raise ulimit -n above 10,200); writes
                     bench/results/run-*.json, docs/benchmarks/*.svg and docs/benchmarks.md (or all of it under --out DIR).
                     PostgreSQL needs CHORUS_BENCH_PG (or CHORUS_TEST_PG): a connection string that may create databases.
                     --trace DIR profiles the server's CPU for 20 s of W1 and of W2 (dotnet-trace collect-linux, as root)
                     and writes the traces, their top methods, and that run's results (not the report's) under DIR.
                     --keep DIR keeps each loaded database for profiling afterwards: the SQLite data directory moves to
                     DIR/<db>-<size>, the PostgreSQL database is left in place (its name is printed).
      report         Rebuild docs/benchmarks.md from bench/results/*.json.
      post-load      --url URL --tokens FILE [--rate N] [--concurrency 64] [--warmup 10] [--seconds 20] [--get PATH] [--threads 2]
                     W1's posting alone against a server already running (for profiling on a kept database): posts as
                     the tokens in FILE (one per line, round robin) at N/s open loop, or closed loop when --rate is 0.
                     With --get PATH it GETs PATH instead (W2: /api/v1/timelines/home?limit=20). --threads: the open
                     loop's event loops. Prints the result; writes nothing.
    """;

// The load clients' socket completions run on the socket engine's own thread, as wrk's event loop runs them, instead
// of being handed to the thread pool: the client then takes ~20% less of the cores it shares with the server (bench/
// findings.md, tenth session). Read once, when the first socket starts, so it is set before anything opens one; the
// servers this process starts do not inherit it (ServerProcess). DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 turns it off.
// A synchronous socket call on that thread waits for itself, so synchronous database work runs off it (Ceilings.Blocking);
// feed-strategy, all synchronous ADO.NET and no HTTP load, runs without it.
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null && args.FirstOrDefault() != "feed-strategy")
    Environment.SetEnvironmentVariable(InlineCompletions, "1");

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 1 : 0;
}

string Opt(string name, string fallback)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
int Int(string name, int fallback) => int.Parse(Opt(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

Chorus.Bench.Run.RunOptions RunArguments()
{
    var workloads = Opt("workloads", "w1,w2,w3,w5,w6,ceilings").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
    if (workloads.Except(Chorus.Bench.Run.RunOptions.KnownWorkloads).FirstOrDefault() is { } unknown)
        throw new ArgumentException($"--workloads: unknown workload '{unknown}' (known: {string.Join(", ", Chorus.Bench.Run.RunOptions.KnownWorkloads)}).");
    var size = Chorus.Bench.Run.RunSize.For(Opt("size", "small")) ?? throw new ArgumentException("--size must be smoke, small or full.");
    string[] dbs = Opt("db", "sqlite") switch
    {
        "sqlite" => ["sqlite"], "postgres" => ["postgres"], "both" => ["sqlite", "postgres"],
        _ => throw new ArgumentException("--db must be sqlite, postgres or both."),
    };
    var pg = Environment.GetEnvironmentVariable("CHORUS_BENCH_PG") is { Length: > 0 } b ? b : Environment.GetEnvironmentVariable("CHORUS_TEST_PG");
    // A profiled run measures a slowed server: its results go beside the traces, never into the report.
    var trace = Opt("trace", "") is { Length: > 0 } t ? Path.GetFullPath(t) : null;
    var output = Opt("out", "") is { Length: > 0 } o ? o : trace;
    var keep = Opt("keep", "") is { Length: > 0 } k ? Path.GetFullPath(k) : null;
    return new Chorus.Bench.Run.RunOptions(workloads, size, dbs, Int("port", 5300), output, pg, trace, keep);
}

switch (args[0])
{
    case "feed-read":
        return await FeedReadCommand.RunAsync(new FeedReadCommand.Options(
            Int("concurrency", 64), Int("users", 128), TimeSpan.FromSeconds(Int("warmup", 5)), TimeSpan.FromSeconds(Int("seconds", 20)),
            Opt("label", ""), Int("port", 5401)));
    case "feed-strategy":
        var size = Opt("size", "full");
        if (OrgShape.For(size) is not { } shape)
        {
            Console.Error.WriteLine("--size must be full, medium or small.");
            return 2;
        }
        return await FeedStrategyCommand.RunAsync(shape, Opt("label", ""), Opt("only", ""));
    case "stream":
        var streamDb = Opt("db", "sqlite");
        var streamPg = Environment.GetEnvironmentVariable("CHORUS_BENCH_PG") is { Length: > 0 } sp ? sp : Environment.GetEnvironmentVariable("CHORUS_TEST_PG");
        if (streamDb is not ("sqlite" or "postgres") || (streamDb == "postgres" && string.IsNullOrWhiteSpace(streamPg)))
        {
            Console.Error.WriteLine("--db must be sqlite or postgres; postgres needs CHORUS_BENCH_PG (or CHORUS_TEST_PG), a connection string that may create databases.");
            return 2;
        }
        return await StreamCommand.RunAsync(new StreamCommand.Options(
            Opt("connections", "1000,10000").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(),
            Int("posts", 100), Int("rate", 10), Int("users", 200), Opt("label", ""), Int("port", 5601), Opt("dump", ""), Opt("trace", ""), streamDb, streamPg));
    case "run":
        Chorus.Bench.Run.RunOptions options;
        try { options = RunArguments(); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        return await Chorus.Bench.Run.RunCommand.RunAsync(options);
    case "report":
        Report.Regenerate();
        return 0;
    case "post-load":
        if (Opt("url", "") is not { Length: > 0 } url || Opt("tokens", "") is not { Length: > 0 } tokenFile || !File.Exists(tokenFile))
        {
            Console.Error.WriteLine("post-load needs --url and --tokens FILE (an existing file, one token per line).");
            return 2;
        }
        if (Int("threads", Chorus.Bench.OpenLoopWorker.DefaultThreads) is < 1 or > 64)
        {
            Console.Error.WriteLine("--threads: between 1 and 64 event loops.");
            return 2;
        }
        return await Chorus.Bench.Run.Workloads.PostLoadAsync(new Uri(url), File.ReadAllLines(tokenFile).Where(l => l.Length > 0).ToList(),
            Int("rate", 0), Int("concurrency", 64), TimeSpan.FromSeconds(Int("warmup", 10)), TimeSpan.FromSeconds(Int("seconds", 20)),
            Opt("get", "") is { Length: > 0 } path ? path : null, Int("threads", Chorus.Bench.OpenLoopWorker.DefaultThreads));
    default:
        Console.Error.WriteLine($"Unknown command '{args[0]}'.\n\n{Usage}");
        return 2;
}
