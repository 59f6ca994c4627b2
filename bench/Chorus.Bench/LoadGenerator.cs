using System.Diagnostics;
using System.Net;

namespace Chorus.Bench;

/// <summary>Latency summary of a set of samples (milliseconds), from the exact sorted samples rather than buckets.</summary>
public sealed record Latencies(long Count, double P50, double P90, double P99, double Max)
{
    /// <summary>Quantiles drawn in the percentile-curve charts (0.5 … 0.9999, then the maximum).</summary>
    static readonly double[] CurveQuantiles = [0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1.0];

    public static Latencies Of(IEnumerable<double> samplesMs) => Of(samplesMs, out _);

    public static Latencies Of(IEnumerable<double> samplesMs, out double[][] curve)
    {
        var sorted = samplesMs.ToArray();
        Array.Sort(sorted);
        curve = [];
        if (sorted.Length == 0) return new Latencies(0, 0, 0, 0, 0);
        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        curve = CurveQuantiles.Select(q => new[] { q, At(q) }).ToArray();
        return new Latencies(sorted.Length, At(0.50), At(0.90), At(0.99), sorted[^1]);
    }

    public string Describe() => $"p50 {Report.Ms(P50)} ms, p90 {Report.Ms(P90)} ms, p99 {Report.Ms(P99)} ms, max {Report.Ms(Max)} ms";
}

/// <summary>
/// A measured load. <see cref="Mode"/> is "closed" (fixed concurrency) or "open" (fixed arrival rate, <see cref="TargetRate"/>);
/// <see cref="Timeline"/> counts successful requests completed in each second of the measured period and
/// <see cref="Curve"/> holds [quantile, ms] pairs of every measured request, for the charts.
/// </summary>
public sealed record LoadResult(string Name, int Concurrency, double Seconds, long Requests, long Errors, double RequestsPerSecond, Latencies Latency, Dictionary<string, Latencies> Series)
{
    public string Mode { get; init; } = "closed";
    public double TargetRate { get; init; }
    public int[] Timeline { get; init; } = [];
    public double[][] Curve { get; init; } = [];
    /// <summary>How long the discarded warm-up ran; with a steady-state warm-up, longer than the minimum.</summary>
    public double WarmUpSeconds { get; init; }
    /// <summary>A steady-state warm-up's rate in each of its windows (successful requests per second), oldest first.</summary>
    public double[] WarmUpRates { get; init; } = [];
    /// <summary>The slowest request sent (open loop: due) in each second of the measured period, in ms: a stall shows
    /// as a run of slow seconds, a tail spread over the period as many moderately slow ones. Every measured request is
    /// in it (those due before the period in its first second), so its largest value is the row's max.</summary>
    public double[] SlowestBySecond { get; init; } = [];
    /// <summary>When the measured period began (Unix milliseconds), to line its seconds up with other records.</summary>
    public long MeasuredFromUnixMs { get; init; }
    /// <summary>What the database did in the measured period (PostgreSQL only; see <see cref="Run.DbActivity"/>).</summary>
    public Run.DbActivity? Database { get; init; }
    /// <summary>The server's GC pauses in the measured period (when it ran with bench/StallProbe; see <see cref="Run.GcPauses"/>).</summary>
    public Run.GcPauses? ServerGc { get; init; }
    /// <summary>The fsyncs of the disk under the database's log in the measured period (see <see cref="Run.DiskProbe"/>).</summary>
    public Run.DiskPeriod? Disk { get; init; }
    /// <summary>Where the machine's CPU went in the measured period (see <see cref="Run.CpuShare"/>).</summary>
    public Run.CpuShare? Cpu { get; init; }
    /// <summary>Every request of the run, warm-up and drain included (an open loop: every request of its schedule,
    /// each answered or counted as failed), and those of them that failed.</summary>
    public long AllRequests { get; init; }
    public long AllErrors { get; init; }
}

/// <summary>
/// A warm-up that lasts until the rate stops rising: at least <paramref name="Minimum"/>, in windows of
/// <paramref name="Window"/>, until two windows in a row are no more than 3% above the best window before them, or
/// <paramref name="Maximum"/> has passed. The server's tiered JIT is still compiling the request path at tier 1
/// for 25–35 s of load on two shared cores (bench/findings.md, eighth session); a closed loop measured before that
/// measures the compiler, not the sustained rate.
/// </summary>
public sealed record SteadyWarmUp(TimeSpan Minimum, TimeSpan Maximum, TimeSpan Window)
{
    /// <summary>True when the windows measured so far show the rate has stopped rising.</summary>
    public static bool Settled(IReadOnlyList<double> rates)
    {
        if (rates.Count < 3) return false;
        var best = rates.Take(rates.Count - 2).Max();
        return rates[^1] <= best * 1.03 && rates[^2] <= best * 1.03;
    }
}

/// <summary>State every client of one load shares: whether samples count yet, and when the measured period began.</summary>
sealed class LoadState
{
    public volatile bool Measuring;
    public long MeasureStart;
    public long MeasureStartUnixMs;
    /// <summary>Successful requests completed during the warm-up (for a steady-state warm-up's windows).</summary>
    public long WarmCompletions;
}

/// <summary>
/// What one thread of a load records: each measured request's latency in a named series, completions per second,
/// and the slowest request sent (open loop: due) in each second. Used by one thread at a time, so it takes no locks.
/// </summary>
public sealed class LoadRecorder
{
    readonly LoadState _state;
    internal readonly Dictionary<string, List<double>> Samples = [];
    internal readonly List<int> Completions = [];
    /// <summary>The slowest latency of the requests sent (open loop: due) in each second of the measured period.</summary>
    internal readonly List<double> Slowest = [];
    internal long Requests, Errors;
    /// <summary>Every request recorded, in the warm-up, the measured period and after it, and those of them that failed.</summary>
    internal long AllRequests, AllErrors;

    internal LoadRecorder(LoadState state) => _state = state;

    /// <summary>Records one request that was sent (open loop: due) at <paramref name="start"/> and ended at
    /// <paramref name="end"/> (<see cref="Stopwatch"/> timestamps); before the measured period, it only counts toward
    /// the warm-up's rate.</summary>
    internal void Record(long start, long end, bool ok, string series)
    {
        AllRequests++;
        if (!ok) AllErrors++;
        if (!_state.Measuring)
        {
            if (ok) Interlocked.Increment(ref _state.WarmCompletions);
            return;
        }
        Requests++;
        if (!ok) { Errors++; return; }
        var ms = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
        if (!Samples.TryGetValue(series, out var list)) Samples[series] = list = new List<double>(1 << 12);
        list.Add(ms);
        var measureStart = Volatile.Read(ref _state.MeasureStart);
        var second = (int)Stopwatch.GetElapsedTime(measureStart, end).TotalSeconds;
        while (Completions.Count <= second) Completions.Add(0);
        if (second >= 0) Completions[second]++;
        // A request counted in the period but due (or sent) before it began counts in its first second.
        var sent = Math.Max(0, (int)Math.Floor((start - measureStart) / (double)Stopwatch.Frequency));
        while (Slowest.Count <= sent) Slowest.Add(0);
        if (ms > Slowest[sent]) Slowest[sent] = ms;
    }
}

/// <summary>What one closed-loop client can do: timed requests whose latency lands in a named series, over a
/// keep-alive connection of its own (<see cref="RawHttpConnection"/>).</summary>
public sealed class LoadClient : IDisposable
{
    readonly RawHttpConnection _connection;
    internal readonly LoadRecorder Recorder;

    internal LoadClient(Uri baseAddress, int index, LoadState state)
    {
        _connection = new RawHttpConnection(baseAddress);
        Recorder = new LoadRecorder(state);
        Index = index;
    }

    public int Index { get; }

    /// <summary>
    /// GETs <paramref name="path"/>, reads the whole body, and records the latency under <paramref name="series"/>.
    /// Unless <paramref name="keepBody"/>, the body is read and dropped: the load generator shares the cores with the
    /// server, and copying every response into a new array cost it more for a 16 KB feed page than for /healthz's two
    /// bytes, which skewed the ratio between them.
    /// </summary>
    public Task<byte[]?> GetAsync(string path, string? token, string series, CancellationToken ct, bool keepBody = true) =>
        SendAsync("GET", path, token, default, HttpStatusCode.OK, series, ct, keepBody);

    /// <summary>Sends <paramref name="request"/> (see <see cref="GetAsync"/> for <paramref name="keepBody"/>).</summary>
    public Task<byte[]?> SendAsync(LoadRequest request, CancellationToken ct, bool keepBody = false) =>
        SendAsync(request.Method, request.Path, request.Bearer, request.Json, request.Expected, request.Series, ct, keepBody);

    static readonly byte[] Drained = [];

    async Task<byte[]?> SendAsync(string method, string path, string? token, ReadOnlyMemory<byte> json, HttpStatusCode expected, string series,
        CancellationToken ct, bool keepBody)
    {
        var start = Stopwatch.GetTimestamp();
        byte[]? body = null;
        var ok = false;
        try
        {
            var (status, read) = await _connection.SendAsync(method, path, token, json, keepBody, ct);
            ok = status == (int)expected;
            body = keepBody ? read : Drained;
        }
        catch (IOException) { }
        Recorder.Record(start, Stopwatch.GetTimestamp(), ok, series);
        return ok ? body : null;
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>
/// Closed loop: <c>concurrency</c> clients each send a request, wait for the whole response, and send the next.
/// Open loop: requests are due at a fixed rate whether or not earlier ones have answered, and each latency is
/// measured from the time its request was due, so a stalled server shows as queueing instead of as fewer samples
/// (no coordinated omission). Both use keep-alive HTTP/1.1 connections, a warm-up (discarded) and a measured period.
/// </summary>
public static class LoadGenerator
{
    public static Task<LoadResult> RunAsync(
        string name, Uri baseAddress, int concurrency, TimeSpan warmUp, TimeSpan duration,
        Func<LoadClient, CancellationToken, Task> iteration) =>
        RunAsync(name, baseAddress, concurrency, new SteadyWarmUp(warmUp, warmUp, warmUp), duration, iteration);

    /// <summary>Closed loop whose warm-up lasts until the rate stops rising (see <see cref="SteadyWarmUp"/>).</summary>
    public static async Task<LoadResult> RunAsync(
        string name, Uri baseAddress, int concurrency, SteadyWarmUp warmUp, TimeSpan duration,
        Func<LoadClient, CancellationToken, Task> iteration, Run.PeriodProbe? probe = null)
    {
        var state = new LoadState();
        var clients = Enumerable.Range(0, concurrency).Select(i => new LoadClient(baseAddress, i, state)).ToArray();
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

        var (warmed, rates) = await WarmUpAsync(state, warmUp);
        var (seconds, marked, ended) = await MeasureAsync(state, TimeSpan.Zero, duration, probe);
        Volatile.Write(ref running, false);
        await Task.WhenAll(workers);
        foreach (var c in clients) c.Dispose();
        var result = Summarize(name, concurrency, seconds, clients.Select(c => c.Recorder).ToArray()) with { WarmUpSeconds = warmed, WarmUpRates = rates, MeasuredFromUnixMs = state.MeasureStartUnixMs };
        return probe?.Annotate(result, marked!, ended!) ?? result;
    }

    /// <summary>
    /// Open loop at <paramref name="rate"/> requests per second over up to <paramref name="connections"/> keep-alive
    /// connections, sent by <paramref name="threads"/> event loops (<see cref="OpenLoopWorker"/>). A request that finds
    /// every connection busy waits in the client's queue, and that wait counts: its latency runs from when it was due.
    /// <paramref name="next"/> gives each request as it falls due and must be safe to call from every loop at once.
    /// </summary>
    public static async Task<LoadResult> RunOpenAsync(
        string name, Uri baseAddress, double rate, int connections, TimeSpan warmUp, TimeSpan duration,
        Func<LoadRequest> next, Run.PeriodProbe? probe = null, int threads = OpenLoopWorker.DefaultThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, threads);
        var state = new LoadState();
        var first = Stopwatch.GetTimestamp();
        var end = first + (long)((warmUp + duration).TotalSeconds * Stopwatch.Frequency);
        var endpoint = await RawHttpConnection.ResolveAsync(baseAddress, CancellationToken.None);
        var workers = Enumerable.Range(0, threads).Select(i => new OpenLoopWorker(endpoint, baseAddress, state,
            connections / threads + (i < connections % threads ? 1 : 0))).ToArray();
        // Loop i sends requests i, i + threads, i + 2 threads, … of the one schedule (request k due at first + k / rate).
        var loops = workers.Select((w, i) => OpenLoopWorker.Start($"open loop {i}", () => w.Run(first, i, threads, rate, end, next))).ToArray();
        var (seconds, marked, ended) = await MeasureAsync(state, warmUp, duration, probe);
        try { await Task.WhenAll(loops); }
        finally { foreach (var w in workers) w.Dispose(); }
        var result = Summarize(name, workers.Sum(w => w.Opened), seconds, workers.Select(w => w.Recorder).ToArray()) with
        {
            Mode = "open", TargetRate = rate, WarmUpSeconds = warmUp.TotalSeconds, MeasuredFromUnixMs = state.MeasureStartUnixMs,
        };
        return probe?.Annotate(result, marked!, ended!) ?? result;
    }

    /// <summary>Runs the warm-up; a steady one in windows until <see cref="SteadyWarmUp.Settled"/> or its maximum.</summary>
    static async Task<(double Seconds, double[] Rates)> WarmUpAsync(LoadState state, SteadyWarmUp warmUp)
    {
        var start = Stopwatch.GetTimestamp();
        if (warmUp.Maximum <= warmUp.Minimum)
        {
            await Task.Delay(warmUp.Minimum);
            return (Stopwatch.GetElapsedTime(start).TotalSeconds, []);
        }
        var rates = new List<double>();
        while (true)
        {
            var before = Interlocked.Read(ref state.WarmCompletions);
            var windowStart = Stopwatch.GetTimestamp();
            await Task.Delay(warmUp.Window);
            rates.Add((Interlocked.Read(ref state.WarmCompletions) - before) / Stopwatch.GetElapsedTime(windowStart).TotalSeconds);
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed + warmUp.Window > warmUp.Maximum || (elapsed >= warmUp.Minimum && SteadyWarmUp.Settled(rates))) break;
        }
        return (Stopwatch.GetElapsedTime(start).TotalSeconds, [.. rates]);
    }

    /// <summary>The measured period; with a <paramref name="probe"/>, also its counters at the start and end
    /// (<see cref="Run.PeriodProbe.MarkAsync"/>).</summary>
    static async Task<(double Seconds, Run.PeriodProbe.Mark? Start, Run.PeriodProbe.Mark? End)> MeasureAsync(LoadState state, TimeSpan warmUp,
        TimeSpan duration, Run.PeriodProbe? probe)
    {
        await Task.Delay(warmUp);
        var start = probe is null ? null : await probe.MarkAsync();
        Volatile.Write(ref state.MeasureStart, Stopwatch.GetTimestamp());
        state.MeasureStartUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        state.Measuring = true;
        await Task.Delay(duration);
        state.Measuring = false;
        var seconds = Stopwatch.GetElapsedTime(Volatile.Read(ref state.MeasureStart)).TotalSeconds;
        var end = probe is null ? null : await probe.MarkAsync();
        return (seconds, start, end);
    }

    static LoadResult Summarize(string name, int concurrency, double seconds, LoadRecorder[] clients)
    {
        var requests = clients.Sum(c => c.Requests);
        var errors = clients.Sum(c => c.Errors);
        var seriesNames = clients.SelectMany(c => c.Samples.Keys).Distinct().ToList();
        var series = seriesNames.ToDictionary(s => s, s => Latencies.Of(clients.SelectMany(c => c.Samples.GetValueOrDefault(s) ?? [])));
        var all = Latencies.Of(clients.SelectMany(c => c.Samples.Values.SelectMany(v => v)), out var curve);
        var timeline = new int[Math.Max(1, (int)Math.Floor(seconds))];
        var slowest = new double[timeline.Length];
        foreach (var c in clients)
        {
            for (var s = 0; s < Math.Min(timeline.Length, c.Completions.Count); s++) timeline[s] += c.Completions[s];
            // The period's last, partial second is not in the timeline; its requests count in the last whole second.
            for (var s = 0; s < c.Slowest.Count; s++)
            {
                var at = Math.Min(s, slowest.Length - 1);
                slowest[at] = Math.Max(slowest[at], Math.Round(c.Slowest[s], 1));
            }
        }
        return new LoadResult(name, concurrency, seconds, requests, errors, (requests - errors) / seconds, all, series)
        {
            Timeline = timeline, Curve = curve, SlowestBySecond = slowest,
            AllRequests = clients.Sum(c => c.AllRequests), AllErrors = clients.Sum(c => c.AllErrors),
        };
    }
}
