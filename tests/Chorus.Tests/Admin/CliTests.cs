using System.Diagnostics;
using System.Text;
using Chorus.Cli;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Admin;

/// <summary>The `chorus` CLI as a real process (the chorus.dll built beside the tests) against the test servers' databases.</summary>
public sealed class CliTests(Servers servers)
{
    sealed record Run(int Code, string Out, string Err);

    static async Task<Run> RunAsync(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "chorus.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["Chorus__Security__PasswordIterations"] = "1000";
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        // A guard against a hung child process, not a timing assertion.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(guard.Token);
        return new Run(process.ExitCode, await output, await error);
    }

    static string[] DatabaseArgs(ChorusServer server) => server.Provider == "Sqlite"
        ? ["--data-dir", server.DataDirectory]
        : ["--data-dir", server.DataDirectory, "--provider", "Postgres", "--connection", server.Settings["ConnectionStrings:Chorus"]!];

    static string NewDataDir() => Path.Combine(Path.GetTempPath(), "chorus-tests", "cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Help_lists_every_command_and_a_command_has_its_own_help()
    {
        var help = await RunAsync(null, "--help");
        Assert.Equal(0, help.Code);
        foreach (var command in new[] { "create-admin", "import-people", "seed-demo", "counts", "migrate", "--data-dir", "--provider", "--connection" })
            Assert.Contains(command, help.Out);

        var import = await RunAsync(null, "import-people", "--help");
        Assert.Equal(0, import.Code);
        Assert.Contains("--dry-run", import.Out);
        Assert.Contains("handle,name,email", import.Out);

        var unknown = await RunAsync(null, "frobnicate");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("Unknown command 'frobnicate'", unknown.Err);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Create_admin_reads_the_password_from_stdin_and_the_admin_can_sign_in(string db)
    {
        var server = servers[db];
        var handle = ChorusServer.NewHandle("adm");
        var run = await RunAsync("admin-password-1\n",
            ["create-admin", "--handle", handle, "--name", "Ada Admin", "--email", $"{handle}@example.com", "--password-stdin", .. DatabaseArgs(server)]);

        Assert.True(run.Code == 0, run.Err);
        Assert.Contains($"Created admin @{handle}", run.Out);
        var signIn = await server.WithScopeAsync(sp => sp.GetRequiredService<CredentialService>().CheckPasswordAsync(handle, "admin-password-1", default));
        Assert.True(signIn.Ok, signIn.Problem?.Detail);
        Assert.Equal(PersonRole.Admin, signIn.Value!.Role);

        var again = await RunAsync("admin-password-1\n",
            ["create-admin", "--handle", handle, "--name", "Twice", "--email", $"other-{handle}@example.com", "--password-stdin", .. DatabaseArgs(server)]);
        Assert.Equal(1, again.Code);
        Assert.Contains("is taken", again.Err);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Create_admin_explains_bad_input_and_exits_non_zero(string db)
    {
        var server = servers[db];
        var handle = ChorusServer.NewHandle("adm");
        var badEmail = await RunAsync("admin-password-1\n",
            ["create-admin", "--handle", handle, "--name", "X", "--email", "nope", "--password-stdin", .. DatabaseArgs(server)]);
        Assert.Equal(1, badEmail.Code);
        Assert.Contains("email: is not an email address", badEmail.Err);

        var shortPassword = await RunAsync("short\n",
            ["create-admin", "--handle", handle, "--name", "X", "--email", $"{handle}@example.com", "--password-stdin", .. DatabaseArgs(server)]);
        Assert.Equal(1, shortPassword.Code);
        Assert.Contains("password: must be at least 8 characters", shortPassword.Err);

        var noTerminal = await RunAsync("",
            ["create-admin", "--handle", handle, "--name", "X", "--email", $"{handle}@example.com", .. DatabaseArgs(server)]);
        Assert.Equal(1, noTerminal.Code);
        Assert.Contains("--password-stdin", noTerminal.Err);
        Assert.Null(await server.InDbAsync(d => d.People.FirstOrDefaultAsync(p => p.HandleKey == handle)));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Import_people_reports_rejected_rows_and_its_exit_code_says_how_it_went(string db)
    {
        var server = servers[db];
        var p = "c" + Guid.NewGuid().ToString("N")[..8];
        var dir = NewDataDir();
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "people.csv");
        await File.WriteAllTextAsync(file, $"handle,name,email,manager\n{p}a,A,{p}a@example.com,{p}b\n{p}b,B,{p}b@example.com,\n{p}c,C,not-an-email,\n");
        var rejects = Path.Combine(dir, "rejects.csv");

        var run = await RunAsync(null, ["import-people", file, "--rejects", rejects, .. DatabaseArgs(server)]);

        Assert.True(run.Code == 1, run.Out + run.Err);
        Assert.Contains("3 rows: 2 imported, 1 rejected.", run.Out);
        Assert.Contains("Rejected rows", run.Out);
        Assert.Contains("email: is not an email address", run.Out);
        Assert.Contains("Importing: 2/2", run.Out);
        Assert.Equal($"line,handle,reason\n4,{p}c,email: is not an email address.\n", await File.ReadAllTextAsync(rejects));
        var imported = await server.InDbAsync(d => d.People.Where(x => x.HandleKey.StartsWith(p)).Select(x => x.HandleKey).OrderBy(h => h).ToListAsync());
        Assert.Equal([p + "a", p + "b"], imported);

        await File.WriteAllTextAsync(file, $"handle,name,email\n{p}d,D,{p}d@example.com\n");
        var clean = await RunAsync(null, ["import-people", file, .. DatabaseArgs(server)]);
        Assert.True(clean.Code == 0, clean.Out + clean.Err);
        Assert.Contains("1 rows: 1 imported, 0 rejected.", clean.Out);

        var missing = await RunAsync(null, ["import-people", Path.Combine(dir, "nope.csv"), .. DatabaseArgs(server)]);
        Assert.Equal(2, missing.Code);
        Assert.Contains("cannot be read", missing.Err);

        await File.WriteAllTextAsync(file, $"handle,name\n{p}e,E\n");
        var badHeader = await RunAsync(null, ["import-people", file, .. DatabaseArgs(server)]);
        Assert.Equal(2, badHeader.Code);
        Assert.Contains("'email'", badHeader.Err);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Migrate_seed_demo_and_counts_work_on_a_fresh_data_directory()
    {
        var dir = NewDataDir();
        try
        {
            var migrate = await RunAsync(null, "migrate", "--data-dir", dir);
            Assert.True(migrate.Code == 0, migrate.Err);
            Assert.Contains($"schema is at version {SchemaMigrator.LatestVersion(Chorus.Server.Infrastructure.DatabaseProvider.Sqlite)}", migrate.Out);

            var empty = await RunAsync(null, "counts", "--data-dir", dir);
            Assert.Equal(0, empty.Code);
            Assert.Matches(@"People[^\w\n]*0[^\w\n]", empty.Out);

            var seed = await RunAsync(null, "seed-demo", "--data-dir", dir, "--password", "demo-password-1");
            Assert.True(seed.Code == 0, seed.Err);
            Assert.Contains("Seeded 400 people", seed.Out);

            var counts = await RunAsync(null, "counts", "--data-dir", dir);
            Assert.Matches(@"People[^\w\n]*400[^\w\n]", counts.Out);
            var posts = (Chorus.Server.Features.Admin.DemoSeeder.PostCount + Chorus.Server.Features.Admin.DemoGroups.PostCount).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Matches($@"Posts[^\w\n]*{posts}[^\w\n]", counts.Out);

            var again = await RunAsync(null, "seed-demo", "--data-dir", dir);
            Assert.Equal(1, again.Code);
            Assert.Contains("already has 400 people", again.Err);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Bad_configuration_names_the_setting()
    {
        var run = await RunAsync(null, "counts", "--provider", "Oracle", "--data-dir", NewDataDir());
        Assert.Equal(2, run.Code);
        Assert.Contains("Chorus:Database:Provider", run.Err);
    }

    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["import-people"], "needs FILE" },
        { ["import-people", "a.csv", "b.csv"], "needs FILE" },
        { ["counts", "extra"], "takes no arguments" },
        { ["counts", "--verbose"], "Unknown option '--verbose'" },
        { ["import-people", "a.csv", "--password"], "needs a value" },
        { ["import-people", "a.csv", "--dry-run=yes"], "takes no value" },
        { ["counts", "--data-dir", "a", "--data-dir", "b"], "given twice" },
    };

    [Theory, MemberData(nameof(BadArguments))]
    public void The_parser_rejects_bad_arguments_with_a_clear_message(string[] args, string message)
    {
        var result = CommandLine.Parse(args);
        Assert.Null(result.Command);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public void The_parser_reads_options_flags_and_arguments_in_any_order()
    {
        var result = CommandLine.Parse(["import-people", "--password=trial-pass", "--dry-run", "people.csv", "--data-dir", "/tmp/x"]);
        var command = result.Command!;
        Assert.Equal("import-people", command.Spec.Name);
        Assert.Equal(["people.csv"], command.Arguments);
        Assert.Equal("trial-pass", command.Get("--password"));
        Assert.True(command.Has("--dry-run"));
        Assert.Equal("/tmp/x", command.Get("--data-dir"));
        Assert.Equal(["-"], CommandLine.Parse(["import-people", "--", "-"]).Command!.Arguments);
        Assert.Contains("--password-stdin", CommandLine.Parse(["help", "create-admin"]).Help);
    }
}
