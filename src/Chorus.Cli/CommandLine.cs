using System.Text;

namespace Chorus.Cli;

public sealed record OptionSpec(string Name, string? ValueName, string Description);

public sealed record CommandSpec(string Name, string Summary, string[] Arguments, OptionSpec[] Options, string? Details = null);

public sealed record ParsedCommand(CommandSpec Spec, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Options)
{
    public string? Get(string option) => Options.GetValueOrDefault(option);
    public bool Has(string option) => Options.ContainsKey(option);
}

/// <summary>What the arguments asked for: a command to run, help to print, or a usage error.</summary>
public sealed record ParseResult(ParsedCommand? Command, string? Help, string? Error);

/// <summary>
/// A small parser for a handful of commands with long options (`--name value` or `--name=value`), flags and positional
/// arguments. Hand-written because the commands are few and the help text and errors are easier to keep exact this way.
/// </summary>
public static class CommandLine
{
    public static readonly OptionSpec[] GlobalOptions =
    [
        new("--data-dir", "DIR", "Data directory (Chorus:DataDirectory; env Chorus__DataDirectory). Default ./data."),
        new("--provider", "NAME", "Sqlite or Postgres (Chorus:Database:Provider; env Chorus__Database__Provider)."),
        new("--connection", "STRING", "Connection string (ConnectionStrings:Chorus; env ConnectionStrings__Chorus)."),
    ];

    public static readonly CommandSpec[] Commands =
    [
        new("create-admin", "Create an admin account (the first one, or another).", [],
        [
            new("--handle", "HANDLE", "Sign-in handle, e.g. jane.doe (required)."),
            new("--name", "NAME", "Display name (required)."),
            new("--email", "EMAIL", "Email address (required)."),
            new("--title", "TITLE", "Job title."),
            new("--password-stdin", null, "Read the password from the first line of standard input instead of prompting."),
        ], "Without --password-stdin the password is asked for twice, without echo."),
        new("import-people", "Import people from a CSV file.", ["FILE"],
        [
            new("--password", "PASSWORD", "Give every imported person this password (for trials). Default: no password, no sign-in."),
            new("--dry-run", null, "Check every row and report, but write nothing."),
            new("--rejects", "FILE", "Also write the rejected rows (line,handle,reason) to this CSV file."),
        ], "The first row names the columns handle,name,email (required) and title,department,manager,location (optional),\n" +
           "in any order; other columns are ignored. 'manager' is a handle, in the file (also further down) or already in Chorus.\n" +
           "Rows with problems are rejected with their line number; the others are imported. Handles that already exist are\n" +
           "rejected as duplicates, so running the same file again is safe.\n" +
           "Exit code: 0 all rows imported, 1 some rows rejected, 2 the file could not be read (nothing imported)."),
        new("seed-demo", "Fill an empty database with the demo organization (400 people, 3,000 posts).", [],
        [
            new("--password", "PASSWORD", "Password of every demo account. Default: Chorus:Demo:Password (chorus-demo)."),
        ]),
        new("counts", "Show how many people, posts, reactions and follows there are.", [], []),
        new("migrate", "Apply schema migrations and print the schema version.", [], []),
    ];

    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            var topic = args.Count > 1 ? Commands.FirstOrDefault(c => c.Name == args[1]) : null;
            return new ParseResult(null, topic is null ? GeneralHelp() : CommandHelp(topic), null);
        }
        var spec = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (spec is null) return Fail($"Unknown command '{args[0]}'. Run 'chorus --help' for the list.");

        var known = spec.Options.Concat(GlobalOptions).ToDictionary(o => o.Name);
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help") return new ParseResult(null, CommandHelp(spec), null);
            if (arg == "--")
            {
                positional.AddRange(args.Skip(i + 1));
                break;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                positional.Add(arg);
                continue;
            }
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[..eq] : arg;
            if (!known.TryGetValue(name, out var option)) return Fail($"Unknown option '{name}' for '{spec.Name}'. Run 'chorus {spec.Name} --help'.");
            if (options.ContainsKey(name)) return Fail($"Option '{name}' is given twice.");
            if (option.ValueName is null)
            {
                if (eq > 0) return Fail($"Option '{name}' takes no value.");
                options[name] = null;
            }
            else if (eq > 0) options[name] = arg[(eq + 1)..];
            else if (i + 1 < args.Count) options[name] = args[++i];
            else return Fail($"Option '{name}' needs a value ({option.ValueName}).");
        }
        if (positional.Count != spec.Arguments.Length)
            return Fail(spec.Arguments.Length == 0
                ? $"'{spec.Name}' takes no arguments, but got '{string.Join(" ", positional)}'."
                : $"'{spec.Name}' needs {string.Join(" ", spec.Arguments)}. Run 'chorus {spec.Name} --help'.");
        return new ParseResult(new ParsedCommand(spec, positional, options), null, null);
    }

    static ParseResult Fail(string error) => new(null, null, error);

    public static string GeneralHelp()
    {
        var sb = new StringBuilder();
        sb.AppendLine("chorus — administer a Chorus installation (same database and settings as the server).");
        sb.AppendLine();
        sb.AppendLine("Usage: chorus COMMAND [options]");
        sb.AppendLine();
        sb.AppendLine("Commands:");
        foreach (var c in Commands) sb.AppendLine($"  {c.Name,-15} {c.Summary}");
        sb.AppendLine();
        AppendOptions(sb, "Options for every command:", GlobalOptions);
        sb.AppendLine();
        sb.AppendLine("Run 'chorus COMMAND --help' for a command's options.");
        return sb.ToString();
    }

    public static string CommandHelp(CommandSpec spec)
    {
        var sb = new StringBuilder();
        sb.AppendLine(spec.Summary);
        sb.AppendLine();
        sb.Append("Usage: chorus ").Append(spec.Name);
        foreach (var a in spec.Arguments) sb.Append(' ').Append(a);
        sb.AppendLine(" [options]");
        if (spec.Details is not null) sb.AppendLine().AppendLine(spec.Details);
        if (spec.Options.Length > 0) sb.AppendLine().Append(AppendOptions(new StringBuilder(), "Options:", spec.Options));
        sb.AppendLine();
        AppendOptions(sb, "Options for every command:", GlobalOptions);
        return sb.ToString();
    }

    static StringBuilder AppendOptions(StringBuilder sb, string title, IEnumerable<OptionSpec> options)
    {
        sb.AppendLine(title);
        foreach (var o in options)
        {
            var left = o.ValueName is null ? o.Name : $"{o.Name} {o.ValueName}";
            sb.AppendLine($"  {left,-26} {o.Description}");
        }
        return sb;
    }
}
