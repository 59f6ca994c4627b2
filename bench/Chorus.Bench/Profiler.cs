using System.Diagnostics;
using Spectre.Console;

namespace Chorus.Bench;

/// <summary>
/// A CPU profile of the server while a workload runs (<c>--trace DIR</c>): <c>dotnet-trace collect-linux</c> with the
/// kernel's CPU sampling (needs root and dotnet-trace on PATH or in ~/.dotnet/tools), then
/// <c>dotnet-trace report … topN</c> for the methods with the most inclusive and exclusive samples, written beside the
/// trace as text. For finding where time goes when a target is missed; the report's numbers never come from a traced run.
/// </summary>
public sealed class Profiler : IAsyncDisposable
{
    readonly Process? _collector;
    readonly string _file = "";

    Profiler() { }

    Profiler(Process collector, string file) { _collector = collector; _file = file; }

    public static Profiler Start(string? directory, int pid, string name, TimeSpan duration)
    {
        if (string.IsNullOrEmpty(directory)) return new Profiler();
        Directory.CreateDirectory(directory);
        var file = Path.GetFullPath(Path.Combine(directory, name + ".nettrace"));
        var d = $"{duration.Days:00}:{duration.Hours:00}:{duration.Minutes:00}:{duration.Seconds:00}";
        var collector = Process.Start(new ProcessStartInfo(Tool(), ["collect-linux", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--profile", "cpu-sampling", "--duration", d, "-o", file])
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true })!;
        AnsiConsole.MarkupLine($"  [grey]profiling the server for {duration.TotalSeconds:F0} s into {Markup.Escape(file)}[/]");
        return new Profiler(collector, file);
    }

    static string Tool()
    {
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        return File.Exists(home) ? home : "dotnet-trace";
    }

    public async ValueTask DisposeAsync()
    {
        if (_collector is null) return;
        var output = _collector.StandardOutput.ReadToEndAsync();
        var errors = _collector.StandardError.ReadToEndAsync();
        await _collector.WaitForExitAsync();
        if (_collector.ExitCode != 0 || !File.Exists(_file))
        {
            AnsiConsole.MarkupLine($"  [yellow]profiling failed ({_collector.ExitCode}): {Markup.Escape((await output + await errors).Trim())}[/]");
            return;
        }
        foreach (var (label, extra) in new[] { ("inclusive", new[] { "--inclusive" }), ("exclusive", Array.Empty<string>()) })
        {
            using var report = Process.Start(new ProcessStartInfo(Tool(), ["report", _file, "topN", "-n", "60", .. extra])
            { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = await report.StandardOutput.ReadToEndAsync();
            await report.WaitForExitAsync();
            var path = Path.ChangeExtension(_file, $".top-{label}.txt");
            await File.WriteAllTextAsync(path, text);
            AnsiConsole.MarkupLine($"  [grey]{label} top methods: {Markup.Escape(path)}[/]");
        }
        _collector.Dispose();
    }
}
