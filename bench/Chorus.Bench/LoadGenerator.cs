using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Chorus.Bench;

/// <summary>Latency summary of a set of samples (milliseconds), from the exact sorted samples rather than buckets.</summary>
public sealed record Latencies(long Count, double P50, double P90, double P99, double Max)
{
    public static Latencies Of(IEnumerable<double> samplesMs)
    {
        var sorted = samplesMs.ToArray();
        Array.Sort(sorted);
        if (sorted.Length == 0) return new Latencies(0, 0, 0, 0, 0);
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Latencies(sorted.Length, At(0.50), At(0.90), At(0.99), sorted[^1]);
    }

    public string Describe() => $"p50 {Report.Ms(P50)} ms, p90 {Report.Ms(P90)} ms, p99 {Report.Ms(P99)} ms, max {Report.Ms(Max)} ms";
}

public sealed record LoadResult(string Name, int Concurrency, double Seconds, long Requests, long Errors, double RequestsPerSecond, Latencies Latency, Dictionary<string, Latencies> Series);

/// <summary>What one closed-loop client can do: timed GETs whose latency lands in a named series.</summary>
public sealed class LoadClient(HttpClient http, int index)
{
    internal readonly Dictionary<string, List<double>> Samples = [];
    internal long Requests, Errors;
    internal bool Measuring;

    public int Index { get; } = index;

    /// <summary>GETs <paramref name="path"/>, reads the whole body, and records the latency under <paramref name="series"/>.</summary>
    public async Task<byte[]?> GetAsync(string path, string? token, string series, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var start = Stopwatch.GetTimestamp();
        byte[]? body = null;
        var ok = false;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            body = await response.Content.ReadAsByteArrayAsync(ct);
            ok = response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException) { }
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (!Measuring) return ok ? body : null;
        Requests++;
        if (!ok) { Errors++; return null; }
        if (!Samples.TryGetValue(series, out var list)) Samples[series] = list = new List<double>(1 << 16);
        list.Add(ms);
        return body;
    }
}

/// <summary>
/// Closed-loop load: <c>concurrency</c> clients each send a request, wait for the whole response, and send the next,
/// over their own keep-alive HTTP/1.1 connection, for a warm-up (discarded) and then a measured period.
/// </summary>
public static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(
        string name, Uri baseAddress, int concurrency, TimeSpan warmUp, TimeSpan duration,
        Func<LoadClient, CancellationToken, Task> iteration)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestVersion = HttpVersion.Version11;
        http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;

        var clients = Enumerable.Range(0, concurrency).Select(i => new LoadClient(http, i)).ToArray();
        using var stop = new CancellationTokenSource();
        var running = true;
        var workers = clients.Select(c => Task.Run(async () =>
        {
            // Volatile read of a captured bool is enough: a client finishing one extra request changes nothing.
            while (Volatile.Read(ref running))
            {
                try { await iteration(c, stop.Token); }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
            }
        })).ToArray();

        await Task.Delay(warmUp);
        foreach (var c in clients) c.Measuring = true;
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(duration);
        foreach (var c in clients) c.Measuring = false;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Volatile.Write(ref running, false);
        await Task.WhenAll(workers);

        var requests = clients.Sum(c => c.Requests);
        var errors = clients.Sum(c => c.Errors);
        var seriesNames = clients.SelectMany(c => c.Samples.Keys).Distinct().ToList();
        var series = seriesNames.ToDictionary(s => s, s => Latencies.Of(clients.SelectMany(c => c.Samples.GetValueOrDefault(s) ?? [])));
        var all = Latencies.Of(clients.SelectMany(c => c.Samples.Values.SelectMany(v => v)));
        return new LoadResult(name, concurrency, seconds, requests, errors, (requests - errors) / seconds, all, series);
    }
}
