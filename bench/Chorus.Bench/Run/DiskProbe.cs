using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Chorus.Bench.Run;

/// <summary>
/// What the disk under the database's log did while a load was measured. A post is answered once its transaction's
/// log is on disk, so one slow fsync of the log holds every post of the batch and every post queued behind it. Every
/// <see cref="Interval"/> the probe writes 8 kB into a file of its own beside the log and waits for
/// <c>fdatasync</c>, as a commit does, and every 100 ms it reads how many bytes the log's block device has written
/// (<c>/proc/diskstats</c>). A row can then say how slow the disk's fsync was in its period, whether the load's slow
/// seconds were those with a slow fsync, and whether the device wrote in bursts meanwhile (the kernel's writeback of
/// the data files: bench/findings.md, twenty-first session). The probe's own load is ~0.8 MB/s and 100 fsyncs a second.
/// </summary>
public sealed class DiskProbe : IDisposable
{
    /// <summary>How often the probe writes and syncs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);
    /// <summary>An fsync slower than this is a stall (the W1 target's p99 is 50 ms).</summary>
    public const double StallMs = 50;
    /// <summary>A second of a load whose slowest request took longer than this is a slow second.</summary>
    public const double SlowSecondMs = 100;

    readonly string _file;
    readonly Thread _thread;
    readonly CancellationTokenSource _stop = new();
    readonly List<(long At, double Ms)> _syncs = [];
    readonly List<(long At, long Bytes)> _written = [];

    DiskProbe(string file, string? device)
    {
        _file = file;
        Device = device;
        _thread = new Thread(Loop) { IsBackground = true, Name = "disk probe" };
    }

    /// <summary>The block device the probe reads, as /proc/diskstats names it; null when the directory is on none
    /// (tmpfs, overlay) and only the fsyncs are measured.</summary>
    public string? Device { get; }

    /// <summary>Starts probing in <paramref name="directory"/>; null when the probe cannot write there (not Linux, a
    /// directory that does not exist or is not writable): the run goes on without it.</summary>
    public static DiskProbe? Start(string directory)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(directory)) return null;
        var file = Path.Combine(directory, $"chorus-bench-fsync-probe-{Environment.ProcessId}");
        try
        {
            using (var handle = File.OpenHandle(file, FileMode.Create, FileAccess.Write)) RandomAccess.Write(handle, new byte[Slots * Block], 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var probe = new DiskProbe(file, DeviceOf(File.ReadAllLines("/proc/self/mountinfo"), Path.GetFullPath(directory), File.ReadAllLines("/proc/diskstats")));
        probe._thread.Start();
        return probe;
    }

    const int Block = 8192;
    const int Slots = 256;

    void Loop()
    {
        var block = new byte[Block];
        Array.Fill(block, (byte)'x');
        var lastDevice = Stopwatch.GetTimestamp();
        using var handle = File.OpenHandle(_file, FileMode.Open, FileAccess.Write);
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            RandomAccess.Write(handle, block, (long)(i % Slots) * Block);
            var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var started = Stopwatch.GetTimestamp();
            if (FdataSync(handle) != 0) break;
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (_syncs) _syncs.Add((at, ms));
            if (Device is not null && Stopwatch.GetElapsedTime(lastDevice) >= TimeSpan.FromMilliseconds(100)
                && BytesWritten(File.ReadAllLines("/proc/diskstats"), Device) is { } bytes)
            {
                lastDevice = Stopwatch.GetTimestamp();
                lock (_written) _written.Add((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), bytes));
            }
            _stop.Token.WaitHandle.WaitOne(Interval);
        }
    }

    /// <summary>The disk in [<paramref name="fromUnixMs"/>, + <paramref name="seconds"/>), against the load's slowest
    /// request in each second (<paramref name="slowestBySecond"/>, empty for none); null when the probe saw nothing then.</summary>
    public DiskPeriod? Period(long fromUnixMs, double seconds, IReadOnlyList<double> slowestBySecond)
    {
        List<(long At, double Ms)> syncs;
        List<(long At, long Bytes)> written;
        lock (_syncs) syncs = [.. _syncs];
        lock (_written) written = [.. _written];
        return DiskPeriod.Of(syncs, written, fromUnixMs, seconds, slowestBySecond);
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_thread.IsAlive) _thread.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
        try { File.Delete(_file); }
        catch (IOException) { }
    }

    /// <summary>
    /// The /proc/diskstats name of the device holding <paramref name="path"/>: the mount whose mount point is the longest
    /// prefix of the path (<c>/proc/self/mountinfo</c>: field 3 is major:minor, field 5 the mount point), looked up by
    /// its numbers in <paramref name="diskstats"/>. Null when no line has them (tmpfs, overlay: no block device).
    /// </summary>
    public static string? DeviceOf(IEnumerable<string> mountinfo, string path, IEnumerable<string> diskstats)
    {
        if (MountOf(mountinfo, path) is not { } numbers) return null;
        foreach (var line in diskstats)
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 9 && $"{f[0]}:{f[1]}" == numbers) return f[2];
        }
        return null;
    }

    /// <summary>The major:minor numbers of the mount holding <paramref name="path"/> (the longest mount point that is a
    /// prefix of the path); null when none is.</summary>
    public static string? MountOf(IEnumerable<string> mountinfo, string path)
    {
        string? numbers = null;
        var longest = -1;
        foreach (var line in mountinfo)
        {
            var f = line.Split(' ');
            if (f.Length < 5) continue;
            var mount = f[4].Replace("\\040", " ", StringComparison.Ordinal);
            var under = mount == "/" || path == mount || path.StartsWith(mount + "/", StringComparison.Ordinal);
            if (under && mount.Length > longest) (longest, numbers) = (mount.Length, f[2]);
        }
        return numbers;
    }

    /// <summary>Bytes <paramref name="device"/> has written since boot (sectors written, field 10, are 512 bytes each).</summary>
    public static long? BytesWritten(IEnumerable<string> diskstats, string device)
    {
        foreach (var line in diskstats)
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 9 && f[2] == device && long.TryParse(f[9], CultureInfo.InvariantCulture, out var sectors)) return sectors * 512;
        }
        return null;
    }

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    static extern int FdataSync(SafeFileHandle fd);
}

/// <summary>
/// The disk in a measured period (<see cref="DiskProbe"/>): the probe's fsyncs (how many, p50, p99, longest, how many
/// slower than <see cref="DiskProbe.StallMs"/>), the load's slow seconds and how many of them had such an fsync, and
/// what the device wrote (mean MB/s and the most in one second; null without a device).
/// </summary>
public sealed record DiskPeriod(int Syncs, double P50Ms, double P99Ms, double LongestMs, int Stalls, int SlowSeconds,
    int SlowSecondsWithStall, double? MeanMBps, double? MostMBInASecond)
{
    public static DiskPeriod? Of(IReadOnlyList<(long At, double Ms)> syncs, IReadOnlyList<(long At, long Bytes)> written,
        long fromUnixMs, double seconds, IReadOnlyList<double> slowestBySecond)
    {
        var until = fromUnixMs + (long)(seconds * 1000);
        var inPeriod = syncs.Where(s => s.At >= fromUnixMs && s.At < until).ToList();
        if (inPeriod.Count == 0) return null;
        var sorted = inPeriod.Select(s => s.Ms).Order().ToArray();
        double Quantile(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var stalls = inPeriod.Where(s => s.Ms > DiskProbe.StallMs).ToList();

        // A request sent in second k and slowed by a stall may have waited for an fsync that began just before the
        // second (its batch was already waiting) or at any time until it was answered.
        var slow = 0;
        var withStall = 0;
        for (var k = 0; k < slowestBySecond.Count; k++)
        {
            if (slowestBySecond[k] <= DiskProbe.SlowSecondMs) continue;
            slow++;
            var from = fromUnixMs + k * 1000L - 250;
            var to = fromUnixMs + (k + 1) * 1000L + (long)slowestBySecond[k];
            if (stalls.Exists(s => s.At >= from && s.At <= to)) withStall++;
        }

        double? mean = null, most = null;
        // The samples ~100 ms apart that bracket the period.
        var samples = written.Where(w => w.At >= fromUnixMs - 150 && w.At <= until + 150).ToList();
        if (samples.Count >= 2 && samples[^1].At > samples[0].At)
        {
            mean = (samples[^1].Bytes - samples[0].Bytes) / 1e6 / ((samples[^1].At - samples[0].At) / 1000.0);
            // The most written in any one-second window between samples (samples ~100 ms apart).
            double best = 0;
            for (int i = 0, j = 0; i < samples.Count; i++)
            {
                while (j < samples.Count - 1 && samples[j + 1].At - samples[i].At <= 1000) j++;
                best = Math.Max(best, (samples[j].Bytes - samples[i].Bytes) / 1e6);
            }
            most = best;
        }
        return new DiskPeriod(inPeriod.Count, Quantile(0.5), Quantile(0.99), sorted[^1], stalls.Count, slow, withStall, mean, most);
    }

    public string Describe() =>
        $"the disk meanwhile (an 8 kB write and fdatasync beside the database's log every {DiskProbe.Interval.TotalMilliseconds:F0} ms): " +
        $"p50 {Report.Ms(P50Ms)}, p99 {Report.Ms(P99Ms)}, longest {Report.Ms(LongestMs)} ms, {Stalls} over {DiskProbe.StallMs:F0} ms" +
        (SlowSeconds > 0 ? $"; {SlowSecondsWithStall} of the load's {SlowSeconds} seconds with a request over {DiskProbe.SlowSecondMs:F0} ms had such an fsync" : "") +
        (MeanMBps is { } m && MostMBInASecond is { } x ? $"; the device wrote {Report.Num(m)} MB/s, up to {Report.Num(x)} MB in one second" : "");
}
