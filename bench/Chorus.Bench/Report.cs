using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chorus.Bench;

/// <param name="Writeback">The kernel's writeback settings (absent in runs before 2026-12-06): how long written data may
/// stay in memory before the kernel writes it decides whether the database's files reach the disk steadily or in
/// bursts that stall the log's fsync (bench/findings.md, twenty-first session; docs/operations.md).</param>
public sealed record Machine(int Cores, string Cpu, double MemoryGiB, string Os, string Dotnet, string LoadAverage, string? Writeback = null)
{
    public static Machine Current()
    {
        var cpu = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?
                .Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        // Other work on a shared machine skews every number, so each run records the load it ran under.
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        return new Machine(Environment.ProcessorCount, cpu, Math.Round(memory, 1), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, load,
            WritebackSettings(name => File.Exists($"/proc/sys/vm/{name}") ? File.ReadAllText($"/proc/sys/vm/{name}").Trim() : null));
    }

    /// <summary>The kernel's writeback settings in one line, from <paramref name="read"/> (a /proc/sys/vm file's
    /// content by name, null when absent); null when none can be read (not Linux).</summary>
    public static string? WritebackSettings(Func<string, string?> read)
    {
        string? Seconds(string name) => read(name) is { } v && int.TryParse(v, CultureInfo.InvariantCulture, out var cs) ? $"{cs / 100.0:0.##} s" : null;
        var expire = Seconds("dirty_expire_centisecs");
        var every = Seconds("dirty_writeback_centisecs");
        if (expire is null || every is null) return null;
        var background = read("dirty_background_bytes") is { } b && long.TryParse(b, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? $"{bytes >> 20} MB" : $"{read("dirty_background_ratio")}% of memory";
        return $"kernel writeback of data older than {expire}, checked every {every}, in the background from {background} dirty";
    }

    public override string ToString() =>
        $"{Cores} cores ({Cpu}), {MemoryGiB.ToString("F0", CultureInfo.InvariantCulture)} GiB, {Os}, {Dotnet}";

    public string Describe() => $"{this} — load average {(string.IsNullOrEmpty(LoadAverage) ? "not recorded" : LoadAverage)} when the run ended" +
        (Writeback is null ? "" : $"; {Writeback}");
}

/// <summary>One line of docs/benchmarks.md.</summary>
public sealed record BenchRow(string Workload, string Result, string Ceiling = "—", string Ratio = "—", string Target = "—", string Met = "—");

/// <summary>One run of one command against one database, as stored in bench/results/*.json.</summary>
public sealed record BenchRun(
    string Command, string Database, string Label, DateTime Date, string Commit, Machine Machine,
    IReadOnlyList<BenchRow> Rows, JsonNode? Details);

public static class Report
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string RepoRoot { get; } = FindRoot();

    public static string ResultsDir { get; private set; } = Path.Combine(RepoRoot, "bench", "results");
    public static string MarkdownPath { get; private set; } = Path.Combine(RepoRoot, "docs", "benchmarks.md");
    /// <summary>SVG charts, beside the report (linked relative to it).</summary>
    public static string ChartsDir { get; private set; } = Path.Combine(RepoRoot, "docs", "benchmarks");

    /// <summary>Sends results, report and charts to <paramref name="directory"/> instead of the repository (the smoke test uses a temp one).</summary>
    public static void UseOutput(string? directory)
    {
        if (string.IsNullOrEmpty(directory)) return;
        ResultsDir = Path.Combine(directory, "results");
        MarkdownPath = Path.Combine(directory, "benchmarks.md");
        ChartsDir = Path.Combine(directory, "benchmarks");
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Chorus.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Run the bench from inside the Chorus repository (no Chorus.slnx found above the current directory).");
    }

    public static string Commit()
    {
        try
        {
            var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD")
            { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, UseShellExecute = false })!;
            var sha = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            var dirty = Process.Start(new ProcessStartInfo("git", "status --porcelain --untracked-files=no -- src bench :(exclude)bench/results :(exclude,glob)**/*.md")
            { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, UseShellExecute = false })!;
            var changes = dirty.StandardOutput.ReadToEnd().Trim();
            dirty.WaitForExit();
            // A run on uncommitted server or harness code (the client is part of what is measured) is labelled, so the
            // table never claims a commit it did not measure. Markdown (the findings written during a run) is not code.
            return changes.Length > 0 ? sha + "+dirty" : sha;
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown"; }
    }

    /// <summary>Rebuilds docs/benchmarks.md from the stored runs without measuring anything.</summary>
    public static void Regenerate() => WriteMarkdown(LoadAll(ResultsDir));

    /// <summary>Stores the run and rebuilds docs/benchmarks.md from every stored run.</summary>
    public static string Save(BenchRun run)
    {
        var dir = ResultsDir;
        Directory.CreateDirectory(dir);
        var label = run.Label.Length > 0 ? "-" + run.Label : "";
        var file = Path.Combine(dir, $"{run.Command}-{run.Database.Replace(", ", "-", StringComparison.Ordinal)}{label}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(run, Json));
        WriteMarkdown(LoadAll(dir));
        return file;
    }

    static List<BenchRun> LoadAll(string dir) =>
        Directory.EnumerateFiles(dir, "*.json")
            .Select(f => JsonSerializer.Deserialize<BenchRun>(File.ReadAllText(f), Json))
            .OfType<BenchRun>()
            .OrderBy(r => r.Command, StringComparer.Ordinal).ThenBy(r => r.Database, StringComparer.Ordinal).ThenBy(r => r.Date)
            .ToList();

    static void WriteMarkdown(List<BenchRun> runs)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks");
        md.AppendLine();
        md.AppendLine("Generated by `bench/Chorus.Bench` from the runs stored in `bench/results/` — do not edit by hand; re-run the bench");
        md.AppendLine("(see `bench/README.md`). Every number comes from a real run on the machine named with it.");
        md.AppendLine();
        md.AppendLine("**Load generator and server share the machine.** On a 2-core machine the closed-loop client (64 keep-alive");
        md.AppendLine("HTTP/1.1 connections, same process for every workload; since 2026-12-04 a minimal raw-socket client instead of");
        md.AppendLine("`HttpClient`, see `bench/README.md`) takes a share of the CPU, so absolute req/s are a floor; the ratio to");
        md.AppendLine("`/healthz`, measured the same way in the same run, is the comparable number. The open loops (a fixed arrival");
        md.AppendLine("rate, latency from when each request was due) run, since 2026-12-06, as `wrk2` does: two epoll event loops with");
        md.AppendLine("up to 256 connections between them, ~20–30 µs of client CPU per request; open-loop rows from before that date");
        md.AppendLine("come from a client that cost 2–5× as much (`bench/README.md`, \"The open loops' schedule\").");
        md.AppendLine();
        RunSection(md, runs.Where(r => r.Command == "run").ToList());
        Section(md, "Home feed over HTTP (`feed-read`)", runs.Where(r => r.Command == "feed-read"));
        Section(md, "Feed strategy experiment (`feed-strategy`, raw SQL on generated data)", runs.Where(r => r.Command == "feed-strategy"));
        Section(md, "Streaming at scale (`stream`, idle SSE connections and post→client delivery)", runs.Where(r => r.Command == "stream"));
        var findings = Path.Combine(RepoRoot, "bench", "findings.md");
        if (File.Exists(findings))
        {
            md.AppendLine(File.ReadAllText(findings).TrimEnd());
            md.AppendLine();
        }
        md.AppendLine("The decision these numbers feed is recorded in [adr/003-feed-strategy.md](adr/003-feed-strategy.md).");
        Directory.CreateDirectory(Path.GetDirectoryName(MarkdownPath)!);
        File.WriteAllText(MarkdownPath, md.ToString());
    }

    static readonly string[] RunOrder = ["w1", "w2", "w3", "w4", "w5", "w6", "ceilings"];

    /// <summary>The `run` results: one table per database and size, every target judged in the "Met?" column.</summary>
    static void RunSection(StringBuilder md, List<BenchRun> runs)
    {
        if (runs.Count == 0) return;
        md.AppendLine("## Workloads (`run`: W1 posting, W2 home feed, W3/W4 streaming, W5 search, W6 start, raw ceilings)");
        md.AppendLine();
        md.AppendLine("One command: `dotnet run -c Release --project bench/Chorus.Bench -- run --workloads w1,w2,w3,w5,w6,ceilings --size smoke|small|full --db sqlite|postgres|both`.");
        md.AppendLine("Each workload runs against the real server process over loopback on a generated organization (see `bench/README.md`);");
        md.AppendLine("W3/W4 on a demo-seeded server of their own, beside a bare ASP.NET Core SSE broadcaster.");
        md.AppendLine("**The machine's cores are shared with the load generator**: the client, the server and (for PostgreSQL) the database");
        md.AppendLine("all run on the same cores, so every absolute rate is a floor and the ratio to a ceiling measured in the same run");
        md.AppendLine("is the comparable number. A target that is missed reads **no** and stays in the table until a run meets it.");
        md.AppendLine("Since 2026-12-05 a W1, W2 or `/healthz` row also says how long the server stood still in GC while it was measured");
        md.AppendLine("(`bench/StallProbe`) and, on PostgreSQL, what the cluster did meanwhile (checkpoints, log volume); see `bench/README.md`.");
        md.AppendLine("Since 2026-12-06 such a row also says what the disk under the database's log did (an fsync probe beside it, the");
        md.AppendLine("device's write bursts) and where the machine's CPU went (server, PostgreSQL, load generator, other, idle), and the");
        md.AppendLine("Machine column names the kernel's writeback settings, which decide whether the database's files reach the disk");
        md.AppendLine("steadily or in bursts that stall the log's fsync (docs/operations.md).");
        md.AppendLine();
        // SQLite (the default database) first, then PostgreSQL beside it; the largest size first within each.
        string[] sizes = ["full", "small", "smoke"];
        foreach (var group in runs.GroupBy(r => r.Database)
                     .OrderBy(g => g.Key.StartsWith("sqlite", StringComparison.Ordinal) ? 0 : 1)
                     .ThenBy(g => Array.IndexOf(sizes, g.Key.Split(", ")[^1])))
        {
            md.AppendLine($"### {group.Key}");
            md.AppendLine();
            // Smoke size proves the harness runs end to end (the test suite runs it); its server is the project's build
            // output rather than the published one and its organization has 400 people, so its numbers judge nothing.
            var smoke = group.Key.EndsWith(", smoke", StringComparison.Ordinal);
            if (smoke)
            {
                md.AppendLine("Smoke size checks that the harness works end to end (the test suite runs it on every build): the server is the");
                md.AppendLine("project's build output, not the published build, and the organization has 400 people, so no target is judged here.");
                md.AppendLine();
            }
            md.AppendLine("| Workload | Result | Ceiling | Ratio | Target | Met? | Date | Commit | Machine |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            var ordered = group.OrderBy(r => Array.IndexOf(RunOrder, r.Label) is var i && i < 0 ? int.MaxValue : i).ToList();
            foreach (var run in ordered)
                foreach (var row in run.Rows)
                    md.AppendLine($"| {row.Workload} | {row.Result} | {row.Ceiling} | {row.Ratio} | {row.Target} | {(smoke && row.Met != "—" ? "— (smoke)" : row.Met)} | {run.Date:yyyy-MM-dd HH:mm} UTC | `{run.Commit}` | " +
                                  $"{run.Machine.Cores} cores shared with the load generator; load {run.Machine.LoadAverage}" +
                                  (run.Machine.Writeback is { } wb ? $"; {wb}" : "") + " |");
            md.AppendLine();
            var prefix = group.Key.Replace(", ", "-", StringComparison.Ordinal);
            var charts = Directory.Exists(ChartsDir)
                ? Directory.EnumerateFiles(ChartsDir, prefix + "-*.svg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()
                : [];
            if (charts.Count > 0)
                md.AppendLine("Charts: " + string.Join(" · ", charts.Select(c => $"[{Path.GetFileNameWithoutExtension(c)![(prefix.Length + 1)..]}](benchmarks/{c})")));
            md.AppendLine();
            md.AppendLine($"Machine: {ordered[^1].Machine}. Raw data: `bench/results/run-{prefix}-*.json`.");
            md.AppendLine();
        }
    }

    static void Section(StringBuilder md, string title, IEnumerable<BenchRun> runs)
    {
        var list = runs.ToList();
        if (list.Count == 0) return;
        md.AppendLine($"## {title}");
        md.AppendLine();
        md.AppendLine("| Workload | Database | Result | Ceiling | Ratio | Target | Met? | Date | Commit |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var run in list)
        {
            var db = run.Label.Length > 0 ? $"{run.Database} ({run.Label})" : run.Database;
            foreach (var row in run.Rows)
                md.AppendLine($"| {row.Workload} | {db} | {row.Result} | {row.Ceiling} | {row.Ratio} | {row.Target} | {Judged(row)} | {run.Date:yyyy-MM-dd HH:mm} UTC | `{run.Commit}` |");
        }
        md.AppendLine();
        foreach (var run in list)
            md.AppendLine($"- {run.Command} on {run.Database}{(run.Label.Length > 0 ? $" ({run.Label})" : "")}: {run.Machine.Describe()}.");
        md.AppendLine();
    }

    /// <summary>
    /// Whether a row met its target. Rows stored before runs judged themselves are judged here when the target is a
    /// ratio ("≤ 1.25× bare") and the row's ratio starts with one ("1.16× (…)", "p99 1.95×").
    /// </summary>
    static string Judged(BenchRow row)
    {
        if (row.Target is "—" or "") return "—";
        if (row.Met is { Length: > 0 } met && met != "—") return met;
        var limit = System.Text.RegularExpressions.Regex.Match(row.Target, @"≤ ([0-9.]+)×");
        var ratio = System.Text.RegularExpressions.Regex.Match(row.Ratio, @"^(?:p99 )?(-?[0-9.]+)×");
        if (!limit.Success || !ratio.Success) return "not judged";
        return double.Parse(ratio.Groups[1].Value, CultureInfo.InvariantCulture) <= double.Parse(limit.Groups[1].Value, CultureInfo.InvariantCulture) ? "yes" : "**no**";
    }

    public static string Ms(double ms) => ms < 10 ? ms.ToString("F2", CultureInfo.InvariantCulture) : ms.ToString("F1", CultureInfo.InvariantCulture);

    public static string Num(double n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
