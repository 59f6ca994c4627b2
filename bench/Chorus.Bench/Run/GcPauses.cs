using System.Globalization;

namespace Chorus.Bench.Run;

/// <summary>
/// The server's garbage-collection pauses in a measured period, read from the file the bench/StallProbe startup hook
/// writes in the server (<c>gc EPOCH_MS PAUSE_MS GEN …</c> per pause). Every thread of the server waits for a pause, so
/// a pause lands whole in the latency of every request in flight and queues those due meanwhile: in an open loop the
/// pauses set a floor under p99 (bench/findings.md, thirteenth session).
/// </summary>
public sealed record GcPauses(int Count, double TotalMs, double LongestMs, int LongestGeneration, int[] ByGeneration, double Seconds)
{
    /// <summary>The pauses that began in [<paramref name="fromUnixMs"/>, + <paramref name="seconds"/>); null when
    /// the file does not exist (a server started without the probe).</summary>
    public static GcPauses? Read(string file, long fromUnixMs, double seconds)
    {
        if (!File.Exists(file) || seconds <= 0) return null;
        var until = fromUnixMs + seconds * 1000;
        var count = 0;
        double total = 0, longest = 0;
        var longestGen = 0;
        var byGen = new int[3];
        // The server appends while this reads; open it shared.
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var p = line.Split(' ');
            if (p.Length < 4 || p[0] != "gc"
                || !double.TryParse(p[1], CultureInfo.InvariantCulture, out var at)
                || !double.TryParse(p[2], CultureInfo.InvariantCulture, out var ms)
                || !int.TryParse(p[3], CultureInfo.InvariantCulture, out var gen)) continue;
            if (at < fromUnixMs || at >= until) continue;
            count++;
            total += ms;
            byGen[Math.Clamp(gen, 0, 2)]++;
            if (ms > longest) (longest, longestGen) = (ms, gen);
        }
        return new GcPauses(count, total, longest, longestGen, byGen, seconds);
    }

    public string Describe() =>
        $"server GC meanwhile: {Report.Num(Count)} pauses (gen0 {ByGeneration[0]}, gen1 {ByGeneration[1]}, gen2 {ByGeneration[2]}), " +
        $"{Report.Num(TotalMs)} ms in all ({(TotalMs / (Seconds * 1000)).ToString("P1", CultureInfo.InvariantCulture)} of the time)" +
        (Count > 0 ? $", longest {Report.Ms(LongestMs)} ms (gen{LongestGeneration})" : "");
}
