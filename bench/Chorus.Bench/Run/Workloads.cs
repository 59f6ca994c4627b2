using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Chorus.Bench.Strategy;
using Spectre.Console;

namespace Chorus.Bench.Run;

/// <summary>W2: home-feed reads at 64 closed-loop readers (warm), open loop at a fixed rate, cold first reads, deep paging.</summary>
/// <param name="HomeOpenTarget">The open loop at the target's own rate, 25% of the same run's <c>/healthz</c> (absent in runs before 2026-12-05).</param>
public sealed record FeedResults(LoadResult Health, Latencies Cold, LoadResult Home, LoadResult HomeOpen, LoadResult Deep, int Readers, LoadResult? HomeOpenHalf = null,
    LoadResult? HomeOpenTarget = null);

/// <summary>W1: posting at 64 closed-loop writers and open loop, and per-bucket time until followers see a post.</summary>
/// <param name="OpenTarget">The open loop at the target's own rate, <see cref="Workloads.PostingTargetRate"/> (absent in runs before 2026-12-05).</param>
public sealed record PostingResults(LoadResult Closed, LoadResult Open, List<Visibility> Buckets, int Writers, double MeanFollowers, LoadResult? OpenHalf = null,
    LoadResult? OpenTarget = null);

/// <summary>Time from sending a post until every sampled follower's home feed shows it, per author bucket.</summary>
/// <param name="FirstReads">Each sampled follower's first home-feed read, all of an author's followers at once, before
/// that author's timed posts: a follower who has the feed open has read it before (the cold read is W2's).</param>
public sealed record Visibility(int Bucket, int[] Authors, int[] FollowerCounts, int FollowersPolled, int Posts, int TimedOut, Latencies Latency,
    Latencies? FirstReads = null);

public static class Workloads
{
    public const int Concurrency = 64;

    /// <summary>W1's target rate (issue 5: Twitter's 2013 worldwide average), which the posting open loop also runs at.</summary>
    public const double PostingTargetRate = 5_700;

    /// <summary>W2's target as a share of the same run's <c>/healthz</c> rate, which the feed open loop also runs at.</summary>
    public const double FeedTargetShare = 0.25;
    const string HomePath = "/api/v1/timelines/home?limit=20";

    public static async Task<LoadResult> HealthAsync(Uri server, RunSize size, PeriodProbe? probe = null) =>
        Print(await LoadGenerator.RunAsync("GET /healthz, 64 clients", server, Concurrency, size.Steady, size.Duration,
            (c, ct) => c.GetAsync("/healthz", null, "healthz", ct, keepBody: false), probe));

    public static async Task<FeedResults> FeedAsync(Uri server, Org org, RunSize size, LoadResult health, PeriodProbe? probe = null)
    {
        var rnd = new Random(21);
        var readers = Enumerable.Range(0, 128).Select(_ => rnd.Next(1, org.Shape.People + 1)).Distinct().ToList();
        var tokens = (await BenchDatabase.TokensAsync(server, readers, "read")).Values.ToList();

        // Cold: each reader's first home feed since the server started, one at a time (nothing of theirs is cached).
        var cold = new List<double>();
        using (var http = new HttpClient { BaseAddress = server })
            foreach (var token in tokens)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, HomePath);
                request.Headers.Authorization = new("Bearer", token);
                var start = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode == HttpStatusCode.OK) cold.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

        var next = InTurn(tokens);
        var home = Print(await LoadGenerator.RunAsync("GET /timelines/home?limit=20, 64 clients (warm)", server, Concurrency, size.Steady, size.Duration,
            (c, ct) => c.GetAsync(HomePath, next(), "home", ct, keepBody: false), probe));
        // Open loops at half and at 80% of what the closed loop sustained, so the tail shows queueing at a moderate and
        // at a high load, and at the target's own rate (25% of /healthz), where the target's p99 is measured without
        // coordinated omission. Its requests arrive spread out rather than back to back, which costs the server more per
        // request than the closed loop's (threads that went idle wake for each), so on two shared cores 80% of the closed
        // loop's rate can be past what the machine sustains.
        Task<LoadResult> Open(double rate) => LoadGenerator.RunOpenAsync($"GET /timelines/home?limit=20, open loop {Report.Num(rate)}/s", server, rate, 256,
            size.WarmUp, size.Duration, () => LoadRequest.Get(HomePath, next(), "home"), probe);
        var half = Print(await Open(Math.Max(5, Math.Round(home.RequestsPerSecond * 0.5))));
        var target = Print(await Open(Math.Max(5, Math.Round(health.RequestsPerSecond * FeedTargetShare))));
        var open = Print(await Open(Math.Max(10, Math.Round(home.RequestsPerSecond * 0.8))));
        var deep = Print(await LoadGenerator.RunAsync("home feed walked 5 pages deep (nextCursor), 64 clients", server, Concurrency, size.Steady, size.Duration, async (c, ct) =>
        {
            var token = next();
            string? cursor = null;
            for (var page = 1; page <= 5; page++)
            {
                var path = cursor is null ? HomePath : $"{HomePath}&cursor={Uri.EscapeDataString(cursor)}";
                var body = await c.GetAsync(path, token, $"page{page}", ct);
                if (body is null) return;
                cursor = JsonDocument.Parse(body).RootElement.GetProperty("nextCursor").GetString();
                if (cursor is null) return;
            }
        }, probe is null ? null : probe with { PostgresAdmin = null }));
        return new FeedResults(health, Latencies.Of(cold), home, open, deep, tokens.Count, half, target);
    }

    public static async Task<PostingResults> PostingAsync(Uri server, Org org, RunSize size, PeriodProbe? probe = null)
    {
        var rnd = new Random(31);
        var leaders = org.Shape.Leaders;
        // Writers are ordinary people (not the leaders), so the fan-out is the organization's typical one.
        var writers = Enumerable.Range(0, 64).Select(_ => rnd.Next(leaders + 1, org.Shape.People + 1)).Distinct().ToList();
        var tokens = await BenchDatabase.TokensAsync(server, writers, "write");
        var list = tokens.Values.ToList();
        var meanFollowers = tokens.Keys.Average(id => (double)org.FollowerCount[id - 1]);
        var posts = Posting(list);
        Func<LoadClient, CancellationToken, Task> post = (c, ct) => c.SendAsync(posts(), ct);

        var closed = Print(await LoadGenerator.RunAsync("POST /posts, 64 clients", server, Concurrency, size.Steady, size.Duration, post, probe));
        // As for W2: half and 80% of the closed loop's rate, and the target rate itself.
        Task<LoadResult> Open(double rate) =>
            LoadGenerator.RunOpenAsync($"POST /posts, open loop {Report.Num(rate)}/s", server, rate, 256, size.WarmUp, size.Duration, posts, probe);
        var half = Print(await Open(Math.Max(5, Math.Round(closed.RequestsPerSecond * 0.5))));
        var target = Print(await Open(PostingTargetRate));
        var open = Print(await Open(Math.Max(5, Math.Round(closed.RequestsPerSecond * 0.8))));

        var buckets = new List<Visibility>();
        foreach (var bucket in new[] { 10, 1_000, 10_000, 100_000 })
            if (await VisibilityAsync(server, org, bucket, size.VisibilityPosts) is { } v) buckets.Add(v);
        // A small organization may have none of the buckets; its most-followed person still shows the path works.
        if (buckets.Count == 0 && await VisibilityAsync(server, org, org.FollowerCount.Max(), size.VisibilityPosts) is { } top) buckets.Add(top);
        return new PostingResults(closed, open, buckets, list.Count, meanFollowers, half, target);
    }

    /// <summary>W1's posting alone, against a server already running: closed loop when <paramref name="rate"/> is 0. With
    /// <paramref name="get"/>, GETs that path (W2's reads: <c>/api/v1/timelines/home?limit=20</c>) as the tokens in turn instead.</summary>
    public static async Task<int> PostLoadAsync(Uri server, IReadOnlyList<string> tokens, int rate, int concurrency, TimeSpan warmUp, TimeSpan duration, string? get = null,
        int threads = OpenLoopWorker.DefaultThreads)
    {
        if (tokens.Count == 0) { Console.Error.WriteLine("--tokens: the file has no tokens."); return 2; }
        var next = InTurn(tokens);
        var requests = get is null ? Posting(tokens) : () => LoadRequest.Get(get, next(), "get");
        var what = get is null ? "POST /posts" : $"GET {get}";
        var result = rate > 0
            ? await LoadGenerator.RunOpenAsync($"{what}, open loop {rate}/s", server, rate, 256, warmUp, duration, requests, threads: threads)
            : await LoadGenerator.RunAsync($"{what}, {concurrency} clients", server, concurrency, warmUp, duration, (c, ct) => c.SendAsync(requests(), ct));
        Print(result);
        AnsiConsole.MarkupLine($"  [grey]completed per second: {string.Join(", ", result.Timeline)}[/]");
        AnsiConsole.MarkupLine($"  [grey]measured from {result.MeasuredFromUnixMs} (Unix ms); slowest request sent in each second (ms): {string.Join(", ", result.SlowestBySecond.Select(Report.Ms))}[/]");
        return result.Errors > 0 ? 1 : 0;
    }

    /// <summary>W1's requests: each a new post of realistic text, as the next of <paramref name="tokens"/> in turn.</summary>
    static Func<LoadRequest> Posting(IReadOnlyList<string> tokens)
    {
        var next = InTurn(tokens);
        var text = 0;
        return () => LoadRequest.PostJson("/api/v1/posts", next(),
            JsonSerializer.Serialize(new { text = PostText(Interlocked.Increment(ref text)) }), HttpStatusCode.Created, "post");
    }

    /// <summary>The tokens one after another, round robin, safe to call from every client at once.</summary>
    static Func<string> InTurn(IReadOnlyList<string> tokens)
    {
        var turn = 0;
        return () => tokens[(int)((uint)Interlocked.Increment(ref turn) % (uint)tokens.Count)];
    }

    /// <summary>A post of realistic length (~200 characters), sometimes with a topic.</summary>
    static string PostText(int n) =>
        $"Update {n}: the quarterly plan review moved to Thursday; notes, the draft budget and the open questions are in the shared folder. " +
        $"Please add comments before the meeting so we can decide quickly{(n % 4 == 0 ? $" #topic{n % 20 + 1}" : "")}.";

    /// <summary>
    /// Authors whose follower count is within a factor of two of <paramref name="bucket"/> (up to three, nearest first;
    /// for the 10 bucket the least-followed people); null when the organization has none (100k exists only at full size). For each post, up to 20 of the
    /// author's followers poll their home feed until it shows the post. Each follower has read the feed once before
    /// the author's first timed post, as someone with the feed open has: otherwise the first post's time was that of
    /// 20 cold first reads at once on two cores (a second or more on PostgreSQL, 2026-12-03), not of the post
    /// reaching them. Those first reads are measured and reported beside the result.
    /// </summary>
    static async Task<Visibility?> VisibilityAsync(Uri server, Org org, int bucket, int postsPerAuthor)
    {
        var authors = Enumerable.Range(1, org.Shape.People)
            .Where(p => org.FollowerCount[p - 1] >= bucket / 2 && org.FollowerCount[p - 1] <= bucket * 2)
            .OrderBy(p => Math.Abs(Math.Log((double)org.FollowerCount[p - 1] / bucket))).Take(3).ToArray();
        // The generated graph gives everyone a few dozen followers (team neighbours), so nobody has ~10; the smallest
        // audiences the organization has stand in for that bucket, and the row names their real follower counts.
        if (authors.Length == 0 && bucket == 10)
            authors = Enumerable.Range(1, org.Shape.People).Where(p => org.FollowerCount[p - 1] > 0)
                .OrderBy(p => org.FollowerCount[p - 1]).Take(3).ToArray();
        if (authors.Length == 0) return null;
        var rnd = new Random(bucket);
        var followers = authors.ToDictionary(a => a, a => Enumerable.Range(1, org.Shape.People)
            .Where(p => Array.BinarySearch(org.Followees[p - 1], a) >= 0).OrderBy(_ => rnd.Next()).Take(20).ToArray());
        var writeTokens = await BenchDatabase.TokensAsync(server, authors, "write");
        var readTokens = await BenchDatabase.TokensAsync(server, followers.Values.SelectMany(f => f), "read");

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 32, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        var samples = new List<double>();
        var firstReads = new List<double>();
        var timedOut = 0;
        var text = 0;
        foreach (var author in authors)
        {
            firstReads.AddRange(await Task.WhenAll(followers[author].Select(async f =>
            {
                var start = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Get, HomePath);
                request.Headers.Authorization = new("Bearer", readTokens[f]);
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"p{f}'s home feed answered {(int)response.StatusCode}.");
                return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            })));
            for (var i = 0; i < postsPerAuthor; i++)
            {
                var start = Stopwatch.GetTimestamp();
                using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/posts")
                {
                    Content = JsonContent(JsonSerializer.Serialize(new { text = PostText(++text) + $" (visibility {bucket})" })),
                };
                post.Headers.Authorization = new("Bearer", writeTokens[author]);
                using var created = await http.SendAsync(post);
                if (created.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"Posting as p{author} answered {(int)created.StatusCode}.");
                var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
                var marker = $"\"id\":\"{id}\"";
                var seen = await Task.WhenAll(followers[author].Select(f => PollAsync(http, readTokens[f], marker, TimeSpan.FromSeconds(30))));
                if (seen.All(s => s)) samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                else timedOut++;
            }
        }
        return new Visibility(bucket, authors, authors.Select(a => org.FollowerCount[a - 1]).ToArray(),
            followers.Values.Sum(f => f.Length), authors.Length * postsPerAuthor, timedOut, Latencies.Of(samples), Latencies.Of(firstReads));
    }

    static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    static async Task<bool> PollAsync(HttpClient http, string token, string marker, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, HomePath);
            request.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(request);
            if ((await response.Content.ReadAsStringAsync()).Contains(marker, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    public static LoadResult Print(LoadResult r)
    {
        AnsiConsole.MarkupLine($"  {Markup.Escape(r.Name)}: [bold]{Report.Num(r.RequestsPerSecond)}/s[/]; {r.Latency.Describe()}" + (r.Errors > 0 ? $"; [red]{r.Errors} errors[/]" : "") +
            (r.WarmUpRates.Length > 0 ? $" [grey]({Markup.Escape(Rows.WarmUp(r))})[/]" : ""));
        return r;
    }
}
