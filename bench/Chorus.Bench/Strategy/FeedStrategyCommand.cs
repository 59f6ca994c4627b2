using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;

namespace Chorus.Bench.Strategy;

/// <summary>
/// The experiment behind docs/adr/003-feed-strategy.md: one generated organization, loaded into SQLite (and
/// PostgreSQL when CHORUS_BENCH_PG is set), then read-time assembly, stored timelines and a hybrid measured on it.
/// </summary>
public static class FeedStrategyCommand
{
    public static async Task<int> RunAsync(OrgShape shape, string label, string only)
    {
        AnsiConsole.MarkupLine($"[bold]feed-strategy[/] on {Markup.Escape(shape.ToString())}");
        Org org = null!;
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("generating the organization", maxValue: 1);
                await Task.Run(() => org = Org.Generate(shape, (_, f) => task.Value = f));
            });
        var fc = org.FollowerCount.OrderDescending().ToArray();
        var followees = org.Followees.Select(f => f.Length).Order().ToArray();
        AnsiConsole.MarkupLine($"{org.FollowCount:N0} follows; followees per person median {followees[followees.Length / 2]}, p99 {followees[followees.Length * 99 / 100]}, max {followees[^1]}; " +
                               $"followers: top {fc[0]:N0}, 30th {fc[Math.Min(29, fc.Length - 1)]:N0}, median {fc[fc.Length / 2]}");

        var dir = Path.Combine(Path.GetTempPath(), "bench-strategy");
        Directory.CreateDirectory(dir);
        if (only is "" or "sqlite")
        {
            await using var sqlite = await StrategyStore.SqliteAsync(Path.Combine(dir, $"feed-{shape.Name}.db"));
            await MeasureAsync(sqlite, org, label);
        }
        if (only is "" or "postgres" && Environment.GetEnvironmentVariable("CHORUS_BENCH_PG") is { Length: > 0 } pg)
        {
            await using var postgres = await StrategyStore.PostgresAsync(pg, $"chorus_strategy_{shape.Name}");
            await MeasureAsync(postgres, org, label);
        }
        return 0;
    }

    static async Task MeasureAsync(StrategyStore store, Org org, string label)
    {
        var loadWatch = Stopwatch.StartNew();
        await store.CreateSchemaAsync();
        await OrgLoader.LoadAsync(store, org);
        await store.AnalyzeAsync();
        var loadSeconds = loadWatch.Elapsed.TotalSeconds;
        await store.DurableAsync();
        AnsiConsole.MarkupLine($"[bold]{store.Name}[/]: loaded in {loadSeconds:F0} s. Measuring…");

        var shape = org.Shape;
        var rnd = new Random(7);
        var n = shape.People;
        var random = Enumerable.Range(0, 300).Select(_ => rnd.Next(1, n + 1)).Distinct().ToList();
        var heavy = Enumerable.Range(1, n).OrderByDescending(u => org.Followees[u - 1].Length).Take(20).ToList();
        using var q = new FeedQueries(store, 20);

        // (a) Read-time assembly: warm once, then time page 1 and page 5 for every reader.
        Walk(random.Concat(heavy), q.ReadTime);
        var readRandom = Walk(random, q.ReadTime);
        var readHeavy = Walk(heavy, q.ReadTime);

        // The same reads after the server's later migrations (index changes made for the feed), on the same data.
        var later = await store.MigrateAsync(3, int.MaxValue);
        PageTimes? laterRandom = null, laterHeavy = null;
        if (later.Count > 0)
        {
            await store.AnalyzeAsync();
            await store.DurableAsync();
            Walk(random.Concat(heavy), q.ReadTime);
            laterRandom = Walk(random, q.ReadTime);
            laterHeavy = Walk(heavy, q.ReadTime);
        }

        // The per-topic variant must return exactly the same pages; it is measured only if it does.
        var mismatches = random.Concat(heavy).Count(u => !SamePages(u, q.ReadTime, q.ReadTimePerTopic));
        Walk(random, q.ReadTimePerTopic);
        var perTopicRandom = Walk(random, q.ReadTimePerTopic);
        var perTopicHeavy = Walk(heavy, q.ReadTimePerTopic);

        // (b) Stored timelines: fill the readers' timelines with their true feed, everyone else with 20 rows so the
        // index has a realistic number of owners, then read them the same way.
        var timelineRows = new List<object?[]>();
        var readers = random.Concat(heavy).Distinct().ToHashSet();
        var roots = org.PostId.Where((_, i) => org.PostReplyTo[i] == 0).ToArray();
        for (var u = 1; u <= n; u++)
        {
            IEnumerable<long> ids = readers.Contains(u) ? q.ReadTimeIds(u, 200) : Enumerable.Range(0, 20).Select(_ => roots[rnd.Next(roots.Length)]);
            foreach (var id in ids.Distinct().Order()) timelineRows.Add([(long)u, id]);
        }
        await store.BulkAsync("timelines", ["owner_id", "post_id"], timelineRows, _ => { });
        var celebrityThreshold = Math.Max(1000, n / 10);
        var celebrities = Enumerable.Range(1, n).Where(u => org.FollowerCount[u - 1] >= celebrityThreshold).ToList();
        await store.BulkAsync("celebrities", ["person_id"], celebrities.Select(c => new object?[] { (long)c }), _ => { });
        await store.AnalyzeAsync();
        await store.DurableAsync();
        Walk(random, q.Stored);
        var storedRandom = Walk(random, q.Stored);
        var storedHeavy = Walk(heavy, q.Stored);
        Walk(random, q.Hybrid);
        var hybridRandom = Walk(random, q.Hybrid);
        var hybridHeavy = Walk(heavy, q.Hybrid);

        // Posting: read-time assembly writes one row; fan-out writes one row per follower (and the author) in the same transaction.
        var writes = new WriteCosts(store, org);
        var plainPost = writes.PlainPosts(300);
        var fanOut = new[] { 100, 10_000, 100_000 }.Select(target =>
        {
            var author = Enumerable.Range(1, n).MinBy(u => Math.Abs(org.FollowerCount[u - 1] - target));
            var followers = org.FollowerCount[author - 1];
            return writes.FanOut(author, followers, posts: followers < 1000 ? 300 : followers < 20_000 ? 10 : 3);
        }).ToList();

        // 90-day write volume: rows each strategy stores for the generated posts (topic followers left out, so a floor).
        long storedRows = 0, hybridRows = 0;
        for (var i = 0; i < org.PostId.Length; i++)
        {
            if (org.PostReplyTo[i] != 0) continue;
            var f = org.FollowerCount[org.PostAuthor[i] - 1] + 1;
            storedRows += f;
            if (f - 1 < celebrityThreshold) hybridRows += f;
        }
        var rootCount = org.PostReplyTo.Count(r => r == 0);

        var rows = new List<BenchRow>
        {
            new($"read-time: home page 1, {random.Count} random users (2 id queries + page rows)", readRandom.Page1.Describe()),
            new("read-time: home page 5 (cursor after 4 pages), same users", readRandom.Page5.Describe()),
            new($"read-time: page 1 / page 5, 20 heaviest followers ({org.Followees[heavy[^1] - 1].Length}–{org.Followees[heavy[0] - 1].Length} followees)",
                $"{readHeavy.Page1.Describe()} / page 5 p50 {Report.Ms(readHeavy.Page5.P50)} ms, p99 {Report.Ms(readHeavy.Page5.P99)} ms"),
        };
        if (laterRandom is not null && laterHeavy is not null)
        {
            var with = string.Join(", ", later);
            rows.Add(new($"read-time with {with}: home page 1 / page 5, random users",
                $"{laterRandom.Page1.Describe()} / page 5 p50 {Report.Ms(laterRandom.Page5.P50)} ms, p99 {Report.Ms(laterRandom.Page5.P99)} ms"));
            rows.Add(new($"read-time with {with}: page 1 / page 5, heaviest followers",
                $"{laterHeavy.Page1.Describe()} / page 5 p50 {Report.Ms(laterHeavy.Page5.P50)} ms, p99 {Report.Ms(laterHeavy.Page5.P99)} ms"));
        }
        rows.Add(new($"read-time, one query per followed topic{(later.Count > 0 ? " + " + string.Join(", ", later) : "")}: page 1 / page 5, random users",
            $"{perTopicRandom.Page1.Describe()} / page 5 p50 {Report.Ms(perTopicRandom.Page5.P50)} ms, p99 {Report.Ms(perTopicRandom.Page5.P99)} ms; pages identical to the IN form for {random.Concat(heavy).Count() - mismatches} of {random.Concat(heavy).Count()} users"));
        rows.Add(new("read-time, one query per followed topic: page 1 / page 5, heaviest followers",
            $"{perTopicHeavy.Page1.Describe()} / page 5 p50 {Report.Ms(perTopicHeavy.Page5.P50)} ms, p99 {Report.Ms(perTopicHeavy.Page5.P99)} ms"));
        rows.AddRange(
        [
            new("read-time: post = 1 posts row per transaction (fsync as server)", $"{Report.Num(plainPost.PerSecond)} posts/s; {plainPost.Latency.Describe()}",
                Target: "thousands of posts/s"),
            new("stored timelines: home page 1 / page 5, random users", $"{storedRandom.Page1.Describe()} / page 5 p50 {Report.Ms(storedRandom.Page5.P50)} ms, p99 {Report.Ms(storedRandom.Page5.P99)} ms"),
            new("stored timelines: page 1, heaviest followers", storedHeavy.Page1.Describe()),
        ]);
        foreach (var f in fanOut)
            rows.Add(new($"stored timelines: post by an author with {f.Followers:N0} followers (INSERT…SELECT fan-out, one transaction)",
                $"{Report.Ms(f.Latency.P50)} ms per post (max {Report.Ms(f.Latency.Max)} ms) = {Report.Num(f.PerSecond)} posts/s, {Report.Num(f.RowsPerSecond)} timeline rows/s",
                Target: f.Followers < 1000 ? "thousands of posts/s" : "—"));
        rows.Add(new($"stored timelines: rows written for the {rootCount:N0} feed posts of 90 days", $"{Report.Num(storedRows)} rows ({Report.Num(storedRows / shape.Days)}/day)"));
        rows.Add(new($"hybrid (pull authors with ≥ {celebrityThreshold:N0} followers, {celebrities.Count} people): page 1 / page 5, random users",
            $"{hybridRandom.Page1.Describe()} / page 5 p99 {Report.Ms(hybridRandom.Page5.P99)} ms"));
        rows.Add(new("hybrid: page 1, heaviest followers", hybridHeavy.Page1.Describe()));
        rows.Add(new("hybrid: rows written for the same 90 days", $"{Report.Num(hybridRows)} rows ({Report.Num(hybridRows / shape.Days)}/day)"));

        var table = new Table().AddColumns("workload", "result").Title($"{store.Name}, {shape}");
        foreach (var r in rows) table.AddRow(Markup.Escape(r.Workload), Markup.Escape(r.Result));
        AnsiConsole.Write(table);

        var details = JsonSerializer.SerializeToNode(new
        {
            shape, loadSeconds, follows = org.FollowCount, celebrityThreshold, celebrities = celebrities.Count,
            readRandom, readHeavy, later, laterRandom, laterHeavy, perTopicRandom, perTopicHeavy, mismatches, storedRandom, storedHeavy, hybridRandom, hybridHeavy, plainPost, fanOut, storedRows, hybridRows,
        });
        var file = Report.Save(new BenchRun("feed-strategy", $"{store.Name}, {shape.Name}", label, DateTime.UtcNow, Report.Commit(), Machine.Current(), rows, details));
        AnsiConsole.MarkupLine($"Saved {Markup.Escape(file)}; docs/benchmarks.md regenerated.");
    }

    public sealed record PageTimes(Latencies Page1, Latencies Page5);

    static bool SamePages(int user, Func<long, long, (List<long> Page, long? Next)> a, Func<long, long, (List<long> Page, long? Next)> b)
    {
        long beforeA = long.MaxValue, beforeB = long.MaxValue;
        for (var page = 1; page <= 5; page++)
        {
            var (pa, na) = a(user, beforeA);
            var (pb, nb) = b(user, beforeB);
            if (!pa.SequenceEqual(pb) || na != nb) return false;
            if (na is null) return true;
            beforeA = na.Value;
            beforeB = nb!.Value;
        }
        return true;
    }

    /// <summary>Times page 1 and page 5 (following the cursor) of <paramref name="read"/> for each user.</summary>
    static PageTimes Walk(IEnumerable<int> users, Func<long, long, (List<long> Page, long? Next)> read)
    {
        var first = new List<double>();
        var fifth = new List<double>();
        foreach (var u in users)
        {
            long before = long.MaxValue;
            for (var page = 1; page <= 5; page++)
            {
                var start = Stopwatch.GetTimestamp();
                var (_, next) = read(u, before);
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (page == 1) first.Add(ms);
                if (page == 5) fifth.Add(ms);
                if (next is null) break;
                before = next.Value;
            }
        }
        return new PageTimes(Latencies.Of(first), Latencies.Of(fifth));
    }
}
