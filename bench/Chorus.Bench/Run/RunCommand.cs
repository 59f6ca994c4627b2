using System.Text.Json;
using Chorus.Bench.Strategy;
using Spectre.Console;

namespace Chorus.Bench.Run;

/// <summary>
/// The one command: generates the organization at the chosen size, and per database measures start-up (W6) on an
/// empty and a loaded database, the raw ceilings, W2 home-feed reads and W1 posting against the real server process,
/// then stores the results, draws the charts and regenerates the report.
/// </summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(RunOptions o)
    {
        Report.UseOutput(o.OutputDirectory);
        AnsiConsole.MarkupLine($"[bold]run[/] {string.Join(",", o.Workloads.Order())} at {Markup.Escape(o.Size.Shape.ToString())} on {string.Join(" and ", o.Databases)}");
        // Every workload but W3/W4 (which use a demo-seeded server of their own) needs the organization.
        var org = o.Workloads.Any(w => w != "w3") ? Org.Generate(o.Size.Shape, (_, _) => { }) : null;
        AnsiConsole.MarkupLine("[grey]Building the server (Release)…[/]");
        var dll = ServerProcess.Build(deployed: o.Size.Name != "smoke");
        // A startup hook that records the server's GC pauses (GcPauses), for the workloads' rows.
        var stallProbe = ServerProcess.Build(Path.Combine("bench", "StallProbe"), "StallProbe.dll");
        // W6's ceiling: the same start measured on a bare ASP.NET Core app (bench/BareSse), same machine, same run.
        var bareStarts = new List<double>();
        if (o.Has("w6"))
        {
            var bare = ServerProcess.Build(Path.Combine("bench", "BareSse"), "BareSse.dll");
            for (var i = 0; i < o.Size.StartRuns; i++)
            {
                ServerProcess.WarmPageCache(bare);
                var s = await ServerProcess.StartAsync(bare, o.Port == 0 ? FreePort() : o.Port + 50, new Dictionary<string, string>(),
                    TimeSpan.FromMinutes(1), dataDir: null, demoSeed: false);
                bareStarts.Add(s.ReadyAfter.TotalMilliseconds);
                await s.DisposeAsync();
                Directory.Delete(s.DataDirectory, recursive: true);
            }
        }
        var port = o.Port;
        foreach (var database in o.Databases)
        {
            if (database == "postgres" && string.IsNullOrWhiteSpace(o.PostgresAdmin))
            {
                AnsiConsole.MarkupLine("[yellow]PostgreSQL skipped: set CHORUS_BENCH_PG (or CHORUS_TEST_PG) to an admin connection string.[/]");
                continue;
            }
            await RunDatabaseAsync(o, org, dll, stallProbe, bareStarts, database, o.Port == 0 ? FreePort() : port++);
        }
        return 0;
    }

    static async Task RunDatabaseAsync(RunOptions o, Org? org, string dll, string stallProbe, List<double> bareStarts, string database, int port)
    {
        var size = o.Size;
        var where = $"{database}, {size.Name}";
        AnsiConsole.MarkupLine($"[bold]{where}[/]");
        if (org is not null) await RunOnOrgAsync(o, org, dll, stallProbe, bareStarts, database, port, where);

        if (o.Has("w3"))
        {
            // W3 and W4 as `stream` measures them: idle streams on the all-company stream of a demo-seeded server of
            // their own, beside a bare SSE broadcaster; stored as this run's.
            var streams = size.Streams;
            var status = await StreamCommand.RunAsync(new StreamCommand.Options(streams.Connections, streams.Posts, Rate: 10, streams.Users, Label: "w3",
                Port: o.Port == 0 ? FreePort() : port + 100, Db: database, PostgresAdmin: o.PostgresAdmin, Quiet: streams.Quiet, SaveAs: ("run", where), ServerDll: dll,
                // Port 0: both servers on ports found free (the one after a free port may be another test's).
                BarePort: o.Port == 0 ? FreePort() : port + 101));
            if (status != 0)
                Save(where, "w3", [new BenchRow("W3/W4 streaming", "not measured: the open-file limit is too low for the connections (ulimit -n)", Met: "—")], null, []);
        }
    }

    static async Task RunOnOrgAsync(RunOptions o, Org org, string dll, string stallProbe, List<double> bareStarts, string database, int port, string where)
    {
        var size = o.Size;
        await using var db = new BenchDatabase(database, o.PostgresAdmin, port)
        {
            KeepAs = o.KeepDirectory is null ? null : Path.Combine(o.KeepDirectory, $"{database}-{size.Name}"),
        };
        // A profiled run JIT-compiles everything, so the profile can name every method (ReadyToRun code shows up
        // unnamed in a collect-linux trace); its numbers are not the report's anyway.
        if (o.TraceDirectory is not null) db.Environment["DOTNET_ReadyToRun"] = "0";

        // W6 on an empty database; the last start also leaves the schema migrated for the load.
        var emptyStarts = new List<double>();
        for (var i = 0; i < (o.Has("w6") ? size.StartRuns : 1); i++)
        {
            await db.ResetAsync();
            if (o.Has("w6")) ServerProcess.WarmPageCache(dll);
            await using var s = await db.StartAsync(dll);
            emptyStarts.Add(s.ReadyAfter.TotalMilliseconds);
        }
        var load = System.Diagnostics.Stopwatch.StartNew();
        await db.LoadAsync(org);
        load.Stop();
        AnsiConsole.MarkupLine($"Loaded {org.Shape.People:N0} people, {org.FollowCount:N0} follows, {org.Shape.Posts:N0} posts, {org.ReactionPost.Length:N0} reactions in {load.Elapsed.TotalSeconds:F0} s.");
        var fullStarts = new List<double>();
        ServerProcess? server = null;
        DiskProbe? diskProbe = null;
        var gcFile = Path.Combine(Path.GetTempPath(), $"chorus-bench-gc-{Environment.ProcessId}-{database}.txt");
        try
        {
            for (var i = 0; i < (o.Has("w6") ? size.StartRuns : 1); i++)
            {
                if (server is not null) await server.DisposeAsync();
                if (o.Has("w6")) ServerProcess.WarmPageCache(dll);
                server = await db.StartAsync(dll);
                fullStarts.Add(server.ReadyAfter.TotalMilliseconds);
            }
            if (o.Has("w6"))
                Save(where, "w6", Rows.Start(emptyStarts, fullStarts, bareStarts, org, load.Elapsed), JsonSerializer.SerializeToNode(new { emptyStarts, fullStarts, bareStarts }), []);

            // The workloads' server runs with bench/StallProbe, which writes its GC pauses to a file; each row then says
            // how long the server stood still while it was measured. W6's starts above ran without it. On PostgreSQL every
            // measured period also records the cluster's checkpoints and log volume (PeriodProbe).
            var probe = new PeriodProbe(database == "postgres" ? o.PostgresAdmin : null, null);
            if (o.Has("ceilings") || o.Has("w2") || o.Has("w1"))
            {
                File.Delete(gcFile);
                db.Environment["DOTNET_STARTUP_HOOKS"] = stallProbe;
                db.Environment["STALLPROBE_FILE"] = gcFile;
                db.Environment["STALLPROBE_LATE_MS"] = "0";
                await server!.DisposeAsync();
                server = await db.StartAsync(dll);
                probe = probe with { GcFile = gcFile, ServerPid = server.Pid };
                // The disk under the log: a slow fsync holds every post waiting for its commit (DiskProbe).
                if (await db.LogDirectoryAsync() is { } logDirectory && DiskProbe.Start(logDirectory) is { } disk)
                {
                    diskProbe = disk;
                    probe = probe with { Disk = disk };
                    AnsiConsole.MarkupLine($"[grey]Probing the disk's fsync in {Markup.Escape(logDirectory)}{(disk.Device is { } d ? $" (device {Markup.Escape(d)})" : "")}.[/]");
                }
            }

            List<RawRate>? raw = null;
            if (o.Has("ceilings"))
            {
                raw = database == "postgres"
                    ? await Ceilings.PostgresAsync(o.PostgresAdmin!, size.Duration)
                    : await Ceilings.SqliteAsync(size.Duration);
                foreach (var r in raw) AnsiConsole.MarkupLine($"  {Markup.Escape(r.Name)}: [bold]{Report.Num(r.PerSecond)} {r.Unit}[/]");
            }
            LoadResult? health = null;
            if (o.Has("ceilings") || o.Has("w2") || o.Has("w1")) health = await Workloads.HealthAsync(server!.BaseAddress, size, probe with { PostgresAdmin = null });
            if (o.Has("ceilings"))
            {
                var settings = database == "postgres" ? await DbActivity.PostgresSettingsAsync(o.PostgresAdmin!) : null;
                Save(where, "ceilings", Rows.Ceilings(raw!, health!, settings), JsonSerializer.SerializeToNode(new { raw, health, settings }), [("healthz", health!)]);
            }

            if (o.Has("w2"))
            {
                FeedResults feed;
                await using (Profiler.Start(o.TraceDirectory, server!.Pid, $"{database}-{size.Name}-w2", TimeSpan.FromSeconds(20)))
                    feed = await Workloads.FeedAsync(server!.BaseAddress, org, size, health!, probe);
                Save(where, "w2", Rows.Feed(feed, raw), JsonSerializer.SerializeToNode(feed),
                    [("healthz", feed.Health), ("home closed", feed.Home), .. feed.HomeOpenHalf is { } h ? [("home open 50%", h)] : Array.Empty<(string, LoadResult)>(),
                        .. feed.HomeOpenTarget is { } t ? [("home open at target", t)] : Array.Empty<(string, LoadResult)>(), ("home open 80%", feed.HomeOpen), ("5 pages deep", feed.Deep)]);
            }
            if (o.Has("w1"))
            {
                PostingResults posting;
                await using (Profiler.Start(o.TraceDirectory, server!.Pid, $"{database}-{size.Name}-w1", TimeSpan.FromSeconds(20)))
                    posting = await Workloads.PostingAsync(server!.BaseAddress, org, size, probe);
                Save(where, "w1", Rows.Posting(posting, raw, health!), JsonSerializer.SerializeToNode(posting),
                    [("post closed", posting.Closed), .. posting.OpenHalf is { } h ? [("post open 50%", h)] : Array.Empty<(string, LoadResult)>(),
                        .. posting.OpenTarget is { } t ? [("post open at target", t)] : Array.Empty<(string, LoadResult)>(), ("post open 80%", posting.Open)]);
            }
            if (o.Has("w5")) Save(where, "w5", [new BenchRow("W5 search", "skipped: search does not exist yet", Met: "—")], null, []);
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            diskProbe?.Dispose();
            File.Delete(gcFile);
        }
    }

    static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    static void Save(string where, string workload, List<BenchRow> rows, System.Text.Json.Nodes.JsonNode? details, (string Name, LoadResult Result)[] series)
    {
        var prefix = $"{where.Replace(", ", "-", StringComparison.Ordinal)}-{workload}";
        if (series.Length > 0) Charts.Write(prefix, workload.ToUpperInvariant() + " on " + where, series);
        var file = Report.Save(new BenchRun("run", where, workload, DateTime.UtcNow, Report.Commit(), Machine.Current(), rows, details));
        AnsiConsole.MarkupLine($"[grey]Saved {Markup.Escape(file)}.[/]");
    }
}
