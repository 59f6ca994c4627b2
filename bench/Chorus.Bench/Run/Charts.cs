using System.Globalization;
using System.Net;
using System.Text;

namespace Chorus.Bench.Run;

/// <summary>
/// Two small SVG line charts per workload, written by hand: the latency percentile curve (x spaced by "nines", so
/// p99 and p99.9 are as far apart as p50 and p90) and completed requests per second over the measured period.
/// </summary>
public static class Charts
{
    static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
    const int W = 640, H = 320, L = 64, R = 16, T = 36, B = 48;

    public static void Write(string prefix, string title, (string Name, LoadResult Result)[] series)
    {
        Directory.CreateDirectory(Report.ChartsDir);
        var curves = series.Where(s => s.Result.Curve.Length > 0)
            .Select(s => (s.Name, Points: s.Result.Curve.Select(p => (X: Nines(p[0]), Y: p[1])).ToArray())).ToArray();
        File.WriteAllText(Path.Combine(Report.ChartsDir, prefix + "-latency.svg"),
            Svg($"{title}: latency by percentile (ms)", curves, x => x switch
            {
                < 0.5 => "p50", < 1.5 => "p90", < 2.5 => "p99", < 3.5 => "p99.9", < 4.5 => "p99.99", _ => "max",
            }, [Nines(0.5), 1, 2, 3, 4, 5]));
        var rates = series.Where(s => s.Result.Timeline.Length > 0)
            .Select(s => (s.Name, Points: s.Result.Timeline.Select((n, i) => (X: i + 1.0, Y: (double)n)).ToArray())).ToArray();
        var seconds = rates.Length == 0 ? 1 : rates.Max(r => r.Points.Length);
        File.WriteAllText(Path.Combine(Report.ChartsDir, prefix + "-throughput.svg"),
            Svg($"{title}: completed per second", rates, x => x.ToString("F0", CultureInfo.InvariantCulture) + " s",
                Enumerable.Range(0, 5).Select(i => 1 + (seconds - 1) * i / 4.0).Distinct().ToArray()));
    }

    /// <summary>The maximum is drawn at "five nines" so it stays on the chart.</summary>
    static double Nines(double q) => q >= 1 ? 5 : Math.Min(5, -Math.Log10(1 - q));

    static string Svg(string title, (string Name, (double X, double Y)[] Points)[] lines, Func<double, string> xLabel, double[] xTicks)
    {
        var all = lines.SelectMany(l => l.Points).ToArray();
        var minX = all.Length == 0 ? 0 : Math.Min(all.Min(p => p.X), xTicks.Min());
        var maxX = all.Length == 0 ? 1 : Math.Max(all.Max(p => p.X), xTicks.Max());
        var maxY = all.Length == 0 ? 1 : NiceCeiling(all.Max(p => p.Y));
        if (maxX <= minX) maxX = minX + 1;
        double Px(double x) => L + (x - minX) / (maxX - minX) * (W - L - R);
        double Py(double y) => H - B - y / maxY * (H - T - B);
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine($"""<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">""");
        svg.AppendLine($"""<rect width="{W}" height="{H}" fill="#fff"/>""");
        svg.AppendLine($"""<text x="{L}" y="16" font-size="13" font-weight="bold">{WebUtility.HtmlEncode(title)}</text>""");
        for (var i = 0; i <= 4; i++)
        {
            var y = maxY * i / 4;
            svg.AppendLine($"""<line x1="{L}" x2="{W - R}" y1="{F(Py(y))}" y2="{F(Py(y))}" stroke="#ddd"/><text x="{L - 6}" y="{F(Py(y) + 4)}" text-anchor="end">{Report.Num(y)}</text>""");
        }
        foreach (var x in xTicks)
            svg.AppendLine($"""<line x1="{F(Px(x))}" x2="{F(Px(x))}" y1="{T}" y2="{H - B}" stroke="#eee"/><text x="{F(Px(x))}" y="{H - B + 16}" text-anchor="middle">{WebUtility.HtmlEncode(xLabel(x))}</text>""");
        svg.AppendLine($"""<line x1="{L}" x2="{W - R}" y1="{H - B}" y2="{H - B}" stroke="#333"/><line x1="{L}" x2="{L}" y1="{T}" y2="{H - B}" stroke="#333"/>""");
        for (var i = 0; i < lines.Length; i++)
        {
            var color = Colors[i % Colors.Length];
            var points = string.Join(' ', lines[i].Points.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"));
            svg.AppendLine($"""<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>""");
            var lx = L + 8 + i * ((W - L - R) / Math.Max(1, lines.Length));
            svg.AppendLine($"""<rect x="{lx}" y="{H - 18}" width="10" height="10" fill="{color}"/><text x="{lx + 14}" y="{H - 9}">{WebUtility.HtmlEncode(lines[i].Name)}</text>""");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    static double NiceCeiling(double v)
    {
        if (v <= 0) return 1;
        var step = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
            if (m * step >= v) return m * step;
        return 10 * step;
    }
}
