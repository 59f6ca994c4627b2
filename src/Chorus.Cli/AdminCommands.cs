using System.Data.Common;
using System.Globalization;
using System.Text;
using Chorus.Server.Data;
using Chorus.Server.Features.Admin;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Chorus.Cli;

/// <summary>The commands. Each one migrates the schema first, so the CLI works on a fresh data directory.</summary>
public static class AdminCommands
{
    const int MaxRejectedShown = 200;

    public static async Task<int> RunAsync(ParsedCommand command, CancellationToken ct)
    {
        Microsoft.Extensions.Hosting.IHost host;
        try { host = CliHost.Build(command); }
        catch (InvalidConfigurationException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.Usage;
        }
        using (host)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var sp = scope.ServiceProvider;
            try
            {
                var applied = await sp.GetRequiredService<SchemaMigrator>().MigrateAsync(ct: ct);
                return command.Spec.Name switch
                {
                    "create-admin" => await CreateAdminAsync(command, sp, ct),
                    "import-people" => await ImportPeopleAsync(command, sp, ct),
                    "seed-demo" => await SeedDemoAsync(command, sp, ct),
                    "counts" => await CountsAsync(sp, ct),
                    "migrate" => await MigrateAsync(applied, sp, ct),
                    _ => throw new InvalidOperationException($"No handler for '{command.Spec.Name}'."),
                };
            }
            // Npgsql's retrying strategy wraps a refused connection in an InvalidOperationException.
            catch (Exception e) when (e is DbException or TimeoutException || e.InnerException is DbException)
            {
                var settings = sp.GetRequiredService<ChorusSettings>();
                Console.Error.WriteLine($"Cannot use the {settings.Provider} database ({Where(settings)}): {(e.InnerException as DbException ?? e).Message}");
                return ExitCodes.Database;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("Cancelled.");
                return ExitCodes.Failed;
            }
        }
    }

    static string Where(ChorusSettings s) => s.Provider == DatabaseProvider.Sqlite ? $"data in {s.DataDirectory}" : "ConnectionStrings:Chorus";

    static async Task<int> CreateAdminAsync(ParsedCommand command, IServiceProvider sp, CancellationToken ct)
    {
        var people = sp.GetRequiredService<PeopleService>();
        var input = new NewPerson(command.Get("--handle"), command.Get("--name"), command.Get("--email"), JobTitle: command.Get("--title"));
        // Check the fields before asking for a password, so a typo in --email does not cost two password prompts.
        if (people.Build(input).Problem is { } invalid) return Fail("Cannot create the admin", invalid);
        if (await people.FindAsync(input.Handle!, ct) is not null)
            return Fail("Cannot create the admin", $"the handle '{input.Handle!.Trim()}' is taken.");

        string? password;
        if (command.Has("--password-stdin")) password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
        else if (Console.IsInputRedirected)
            return Fail("Cannot create the admin", "standard input is not a terminal; pipe the password in and add --password-stdin.");
        else
        {
            password = AnsiConsole.Prompt(new TextPrompt<string>("Password:").Secret());
            if (PersonRules.CheckPassword(password) is { } weak) return Fail("Cannot create the admin", weak);
            var again = AnsiConsole.Prompt(new TextPrompt<string>("Repeat the password:").Secret());
            if (again != password) return Fail("Cannot create the admin", "the two passwords differ.");
        }

        var outcome = await sp.GetRequiredService<SetupService>().CreateAdminAsync(input with { Password = password }, ct);
        if (outcome.Problem is { } problem) return Fail("Cannot create the admin", problem);
        Console.WriteLine($"Created admin @{outcome.Value!.Handle} ({outcome.Value.Email}). Any unused setup link is now void.");
        return ExitCodes.Ok;
    }

    static async Task<int> ImportPeopleAsync(ParsedCommand command, IServiceProvider sp, CancellationToken ct)
    {
        var file = command.Arguments[0];
        var options = new ImportOptions(command.Get("--password"), command.Has("--dry-run"));
        var importer = sp.GetRequiredService<PeopleImporter>();
        var outcome = await ProgressDisplay.RunAsync(report =>
            importer.ImportFileAsync(file, options, new Callback<ImportProgress>(p => report(p.Stage, p.Done, p.Total)), ct));
        if (outcome.Problem is { } problem)
        {
            Fail($"Cannot import {file}", problem);
            return ExitCodes.Usage;
        }

        var report = outcome.Value!;
        if (report.Rejected.Count > 0)
        {
            var table = new Table().Title("Rejected rows").AddColumns("Line", "Handle", "Reason");
            foreach (var r in report.Rejected.Take(MaxRejectedShown))
                table.AddRow(new Text(r.Line.ToString(CultureInfo.InvariantCulture)), new Text(r.Handle ?? ""), new Text(r.Reason));
            AnsiConsole.Write(table);
            if (report.Rejected.Count > MaxRejectedShown)
                Console.WriteLine($"… and {report.Rejected.Count - MaxRejectedShown:N0} more rejected rows" +
                    (command.Has("--rejects") ? "." : "; --rejects FILE writes them all to a CSV file."));
        }
        if (command.Get("--rejects") is { } rejectsFile)
        {
            await WriteRejectsAsync(rejectsFile, report.Rejected, ct);
            Console.WriteLine($"Rejected rows written to {rejectsFile}.");
        }
        Console.WriteLine(report.DryRun
            ? $"{report.Rows:N0} rows: {report.Imported:N0} would be imported, {report.Rejected.Count:N0} rejected. Dry run: nothing was written."
            : $"{report.Rows:N0} rows: {report.Imported:N0} imported, {report.Rejected.Count:N0} rejected.");
        if (!report.DryRun && report.Imported > 0 && options.Password is null)
            Console.WriteLine("Imported people have no password yet: they cannot sign in until an admin sets one.");
        return report.Rejected.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    static async Task WriteRejectsAsync(string path, IReadOnlyList<ImportRejection> rejected, CancellationToken ct)
    {
        static string Quote(string? s) => s is null ? "" : s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : $"\"{s.Replace("\"", "\"\"")}\"";
        var sb = new StringBuilder("line,handle,reason\n");
        foreach (var r in rejected) sb.Append(r.Line.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Quote(r.Handle)).Append(',').Append(Quote(r.Reason)).Append('\n');
        await File.WriteAllTextAsync(path, sb.ToString(), new UTF8Encoding(false), ct);
    }

    static async Task<int> SeedDemoAsync(ParsedCommand command, IServiceProvider sp, CancellationToken ct)
    {
        var password = command.Get("--password") ?? sp.GetRequiredService<ChorusSettings>().DemoPassword;
        if (PersonRules.CheckPassword(password) is { } weak) return Fail("Cannot seed the demo organization", weak);
        var existing = await sp.GetRequiredService<ChorusDb>().People.CountAsync(ct);
        if (existing > 0)
            return Fail("Cannot seed the demo organization",
                $"the database already has {existing:N0} {(existing == 1 ? "person" : "people")}. seed-demo only fills an empty database; use a new --data-dir.");

        var seeder = sp.GetRequiredService<DemoSeeder>();
        var result = await ProgressDisplay.RunAsync(report =>
            seeder.SeedAsync(password, new Callback<SeedProgress>(p => report(p.Stage, p.Done, p.Total)), ct));
        Console.WriteLine($"Seeded {result.People:N0} people, {result.Posts:N0} posts, {result.Reactions:N0} reactions and {result.Follows:N0} follows.");
        Console.WriteLine($"Sign in as 'ada' or 'ben' (members) or 'admin' (admin) with the password '{password}'.");
        return ExitCodes.Ok;
    }

    static async Task<int> CountsAsync(IServiceProvider sp, CancellationToken ct)
    {
        var c = await sp.GetRequiredService<CountsService>().GetAsync(ct);
        var table = new Table().AddColumn("What").AddColumn(new TableColumn("Count").RightAligned());
        foreach (var (name, n) in new[]
        {
            ("People", c.People), ("Active people", c.ActivePeople), ("Admins", c.Admins), ("Posts", c.Posts), ("Replies", c.Replies),
            ("Shares", c.Shares), ("Reactions", c.Reactions), ("Follows", c.Follows), ("Topics", c.Topics), ("Events", c.Events),
        })
            table.AddRow(new Text(name), new Text(n.ToString("N0", CultureInfo.InvariantCulture)));
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }

    static async Task<int> MigrateAsync(IReadOnlyList<int> applied, IServiceProvider sp, CancellationToken ct)
    {
        var settings = sp.GetRequiredService<ChorusSettings>();
        var version = await sp.GetRequiredService<SchemaMigrator>().CurrentVersionAsync(ct);
        Console.WriteLine(applied.Count == 0
            ? $"Schema is up to date at version {version} ({settings.Provider}, {Where(settings)})."
            : $"Applied migrations {string.Join(", ", applied)}; schema is at version {version} ({settings.Provider}, {Where(settings)}).");
        return ExitCodes.Ok;
    }

    static int Fail(string what, Problem problem) => Fail(what, problem.Detail ?? problem.Title);

    static int Fail(string what, string why)
    {
        Console.Error.WriteLine($"{what}: {why}");
        return ExitCodes.Failed;
    }
}
