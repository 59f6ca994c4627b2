using System.Globalization;
using Spectre.Console;

namespace Chorus.Cli;

/// <summary>Reports synchronously, in order — unlike <see cref="Progress{T}"/>, which posts to the thread pool.</summary>
public sealed class Callback<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>
/// A progress bar per stage on a terminal; plain lines (each stage's start, every tenth, its end) when the output is
/// redirected to a file or a pipe, where redrawing bars would only fill the log with escape codes.
/// </summary>
public static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(Func<Action<string, int, int>, Task<T>> work)
    {
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    return await work((stage, done, total) =>
                    {
                        if (!tasks.TryGetValue(stage, out var task)) tasks[stage] = task = ctx.AddTask(Title(stage));
                        task.MaxValue = Math.Max(total, 1);
                        task.Value = total == 0 ? 1 : done;
                    });
                });
        }

        string? lastStage = null;
        var lastTenth = -1;
        return await work((stage, done, total) =>
        {
            var tenth = total == 0 ? 10 : (int)(10L * done / total);
            if (stage == lastStage && tenth == lastTenth) return;
            lastStage = stage;
            lastTenth = tenth;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Title(stage)}: {done:N0}/{total:N0}"));
        });
    }

    static string Title(string stage) => char.ToUpperInvariant(stage[0]) + stage[1..];
}
