using Spectre.Console;

namespace Chorus.Cli;

/// <summary>
/// Entry point. A named class rather than top-level statements: the tests reference both this assembly and the server,
/// and two global `Program` types would clash.
/// </summary>
public static class ChorusCli
{
    public static async Task<int> Main(string[] args)
    {
        var parsed = CommandLine.Parse(args);
        if (parsed.Help is not null)
        {
            Console.Out.Write(parsed.Help);
            return ExitCodes.Ok;
        }
        if (parsed.Error is not null)
        {
            Console.Error.WriteLine(parsed.Error);
            return ExitCodes.Usage;
        }

        if (Console.IsOutputRedirected)
        {
            // Piped or written to a file: plain text, no colour codes, no prompts on stdout.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            });
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C cancels cleanly (an import stops between batches); a second one kills the process.
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };
        return await AdminCommands.RunAsync(parsed.Command!, cancel.Token);
    }
}
