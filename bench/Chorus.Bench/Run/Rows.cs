using System.Globalization;
using Chorus.Bench.Strategy;

namespace Chorus.Bench.Run;

/// <summary>Report rows for `run`. A target is judged by the numbers in the row itself; a miss reads "**no**".</summary>
public static class Rows
{
    static string Met(bool ok) => ok ? "yes" : "**no**";

    static string Pct(double r) => r.ToString("P1", CultureInfo.InvariantCulture);

    static string Load(LoadResult r, string unit) =>
        $"{Report.Num(r.RequestsPerSecond)} {unit}; {r.Latency.Describe()}" + (r.Errors > 0 ? $"; {Report.Num(r.Errors)} errors" : "") +
        (r.WarmUpRates.Length > 0 ? $"; {WarmUp(r)}" : "") + Meanwhile(r);

    /// <summary>The server's GC pauses, what PostgreSQL did, the disk's fsyncs and where the CPU went while the load was measured, when the run recorded them.</summary>
    static string Meanwhile(LoadResult r) =>
        (r.ServerGc is { } gc ? $"; {gc.Describe()}" : "") + (r.Database is { } d ? $"; {d.Describe(r.Requests - r.Errors)}" : "") +
        (r.Disk is { } disk ? $"; {disk.Describe()}" : "") + (r.Cpu is { } cpu ? $"; {cpu.Describe()}" : "");

    /// <summary>A steady-state warm-up in words: how long it ran and the rate of each of its windows.</summary>
    public static string WarmUp(LoadResult r) =>
        $"measured after {r.WarmUpSeconds:F0} s of warm-up, whose 5 s windows ran {string.Join(", ", r.WarmUpRates.Select(Report.Num))}/s";

    /// <summary>An open loop held its rate: it completed at least 99% of what it offered.</summary>
    static bool Held(LoadResult r) => r.RequestsPerSecond >= 0.99 * r.TargetRate;

    static string Open(LoadResult r, string unit) =>
        $"offered {Report.Num(r.TargetRate)}/s, completed {Report.Num(r.RequestsPerSecond)} {unit}; from scheduled send: {r.Latency.Describe()}" +
        (r.Errors > 0 ? $"; {Report.Num(r.Errors)} errors" : "") + Meanwhile(r);

    public static List<BenchRow> Start(List<double> empty, List<double> full, List<double> bare, Org org, TimeSpan load)
    {
        static string Describe(List<double> runs) =>
            $"median {Report.Ms(Median(runs))} ms, max {Report.Ms(runs.Max())} ms ({runs.Count} runs)";
        var ceiling = bare.Count == 0 ? "—" : $"bare ASP.NET Core app (bench/BareSse): {Describe(bare)}";
        string Ratio(List<double> runs) => bare.Count == 0 ? "—" : $"{Median(runs) / Median(bare):F2}× bare (medians)";
        return
        [
            new("W6 process start → /readyz 200, empty database (includes creating the schema; assemblies in the page cache)", Describe(empty), ceiling, Ratio(empty), "≤ 1 s", Met(empty.Max() <= 1000)),
            new($"W6 process start → /readyz 200, loaded database ({org.Shape.People:N0} people, {org.Shape.Posts:N0} posts; assemblies in the page cache)", Describe(full), ceiling, Ratio(full), "≤ 1 s", Met(full.Max() <= 1000)),
            new("generated organization, bulk-loaded into the schema the server made (with a progress bar)", $"{Organization(org)}; loaded in {load.TotalSeconds:F0} s",
                "—", "—", "minutes, not hours", Met(load < TimeSpan.FromHours(1))),
        ];
    }

    /// <summary>What the generator made, in numbers (bench/README.md describes how).</summary>
    static string Organization(Org org)
    {
        var lengths = Enumerable.Range(0, org.Shape.Posts).Select(i => org.PostLength[i]).Order().ToArray();
        var depth = new int[org.Shape.People];
        for (var i = 1; i < depth.Length; i++) depth[i] = depth[org.Manager[i] - 1] + 1;
        return $"{Report.Num(org.Shape.People)} people in {Report.Num(org.DepartmentNames.Length)} departments, a manager tree {depth.Max() + 1} levels deep; " +
               $"{Report.Num(org.FollowCount)} follows; {Report.Num(org.GroupKind.Length)} groups with {Report.Num(org.GroupMembers.Sum(m => (long)m.Length))} memberships; " +
               $"{Report.Num(org.Shape.Posts)} posts ({Report.Num(org.PostReplyTo.Count(r => r != 0))} replies), text length aimed at: median {Report.Num(lengths[lengths.Length / 2])} " +
               $"and p99 {Report.Num(lengths[lengths.Length * 99 / 100])} characters, longest {Report.Num(lengths[^1])}; " +
               $"{Report.Num(org.PostMentions.Sum(m => (long)m.Length))} mentions, {Report.Num(org.PostTopic.Count(t => t != 0))} topic uses, {Report.Num(org.ReactionPost.Length)} reactions";
    }

    public static List<BenchRow> Ceilings(List<RawRate> raw, LoadResult health, string? postgresSettings = null) =>
    [
        .. postgresSettings is null ? [] : new List<BenchRow> { new("PostgreSQL server settings that shape writes (as the run found them)", postgresSettings) },
        .. raw.Select(r => new BenchRow($"ceiling: {r.Name} (posts table shape, one connection)",
            $"{Report.Num(r.PerSecond)} {r.Unit}" + (r.Latency is { } l ? $"; each {l.Describe()}" : ""))),
        new("ceiling: GET /healthz (the server's trivial endpoint), 64 clients", Load(health, "req/s")),
    ];

    public static List<BenchRow> Feed(FeedResults f, List<RawRate>? raw)
    {
        var read = raw?.FirstOrDefault(r => r.Name.Contains("newest 20", StringComparison.Ordinal));
        string Ceiling() => $"/healthz {Report.Num(f.Health.RequestsPerSecond)} req/s" + (read is null ? "" : $"; raw newest-20 read {Report.Num(read.PerSecond)}/s");
        string Ratio(LoadResult r) => $"{Pct(r.RequestsPerSecond / f.Health.RequestsPerSecond)} of /healthz" +
                                      (read is null ? "" : $"; {Pct(r.RequestsPerSecond / read.PerSecond)} of raw read");
        // An open loop's row: judged by its p99, and a loop at the target's own rate also by holding that rate.
        BenchRow OpenRow(LoadResult r, string why, string target = "p99 ≤ 10 ms", bool mustHold = false) =>
            new($"W2 {r.Name} ({why})", Open(r, "req/s"), Ceiling(), Ratio(r), target, Met((!mustHold || Held(r)) && r.Latency.P99 <= 10));
        var home = f.Home;
        return
        [
            new($"W2 {home.Name}, {f.Readers} readers", Load(home, "req/s"), Ceiling(), Ratio(home), "≥ 25% of /healthz, p99 ≤ 10 ms",
                Met(home.RequestsPerSecond >= 0.25 * f.Health.RequestsPerSecond && home.Latency.P99 <= 10)),
            .. f.HomeOpenHalf is { } half ? [OpenRow(half, "half the closed-loop rate")] : new List<BenchRow>(),
            .. f.HomeOpenTarget is { } target
                ? [OpenRow(target, $"the target's rate: {Workloads.FeedTargetShare * 100:F0}% of /healthz", "p99 ≤ 10 ms at that rate", mustHold: true)]
                : new List<BenchRow>(),
            OpenRow(f.HomeOpen, "80% of the closed-loop rate"),
            new($"W2 cold: each reader's first home feed after start, one at a time, {f.Readers} readers", f.Cold.Describe()),
            new($"W2 {f.Deep.Name}", $"{Load(f.Deep, "pages/s")}; page 5 alone: {(f.Deep.Series.GetValueOrDefault("page5") ?? new Latencies(0, 0, 0, 0, 0)).Describe()}",
                Ceiling(), Ratio(f.Deep)),
        ];
    }

    public static List<BenchRow> Posting(PostingResults p, List<RawRate>? raw, LoadResult health)
    {
        var commit = raw?.FirstOrDefault(r => r.Name.Contains("single-row", StringComparison.Ordinal) && !r.Name.Contains("NORMAL", StringComparison.Ordinal));
        string Ceiling() => (commit is null ? "" : $"raw single-row commit {Report.Num(commit.PerSecond)}/s; ") + $"/healthz {Report.Num(health.RequestsPerSecond)} req/s";
        string Ratio(LoadResult r) => (commit is null ? "" : $"{Pct(r.RequestsPerSecond / commit.PerSecond)} of raw commit; ") +
                                      $"{Pct(r.RequestsPerSecond / health.RequestsPerSecond)} of /healthz";
        // As for W2, with W1's p99 limit.
        BenchRow OpenRow(LoadResult r, string why, string target = "p99 ≤ 50 ms", bool mustHold = false) =>
            new($"W1 {r.Name} ({why})", Open(r, "posts/s"), Ceiling(), Ratio(r), target, Met((!mustHold || Held(r)) && r.Latency.P99 <= 50));
        var rows = new List<BenchRow>
        {
            new($"W1 {p.Closed.Name} ({p.Writers} writers, mean {p.MeanFollowers:F0} followers)", Load(p.Closed, "posts/s"), Ceiling(), Ratio(p.Closed),
                "≥ 5,700 posts/s, p99 ≤ 50 ms", Met(p.Closed.RequestsPerSecond >= 5700 && p.Closed.Latency.P99 <= 50)),
        };
        if (p.OpenHalf is { } half) rows.Add(OpenRow(half, "half the closed-loop rate"));
        if (p.OpenTarget is { } atTarget)
            rows.Add(OpenRow(atTarget, "the target rate", $"p99 ≤ 50 ms at {Report.Num(Workloads.PostingTargetRate)} posts/s", mustHold: true));
        rows.Add(OpenRow(p.Open, "80% of the closed-loop rate"));
        foreach (var v in p.Buckets)
        {
            var standard = v.Bucket is 10 or 1_000 or 10_000 or 100_000;
            var target = v.Bucket <= 1_000 ? "≤ 1 s p99" : v.Bucket >= 100_000 ? "≤ 5 s p99" : "—";
            var limit = v.Bucket <= 1_000 ? 1_000 : 5_000;
            var ok = v.TimedOut == 0 && v.Latency.P99 <= limit;
            var bucket = standard ? $"{Report.Num(v.Bucket)}-follower bucket" : "no standard bucket at this size, most-followed person";
            rows.Add(new($"W1 post → visible in followers' home feeds, {bucket} (authors with {string.Join(", ", v.FollowerCounts.Select(c => Report.Num(c)))} followers)",
                $"{v.Latency.Describe()} over {v.Posts} posts, {v.FollowersPolled} followers polled over HTTP" + (v.TimedOut > 0 ? $"; {v.TimedOut} not seen within 30 s" : "") +
                (v.FirstReads is { Count: > 0 } first ? $"; each follower read the feed once before (those first reads, an author's followers at once: p50 {Report.Ms(first.P50)} ms, max {Report.Ms(first.Max)} ms)" : ""),
                Target: target, Met: target == "—" ? "—" : Met(ok)));
        }
        return rows;
    }

    static double Median(List<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
