using System.Text;
using Chorus.Server.Data;
using Chorus.Server.Features.Admin;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Admin;

public sealed class PeopleImporterTests(Servers servers)
{
    /// <summary>A prefix that makes this test's handles and emails unique in the shared database.</summary>
    static string Prefix() => "i" + Guid.NewGuid().ToString("N")[..8];

    static Task<Outcome<ImportReport>> ImportAsync(ChorusServer server, string csv, ImportOptions? options = null, bool bom = false) =>
        ImportBytesAsync(server, (bom ? [0xEF, 0xBB, 0xBF] : Array.Empty<byte>()).Concat(Encoding.UTF8.GetBytes(csv)).ToArray(), options);

    static Task<Outcome<ImportReport>> ImportBytesAsync(ChorusServer server, byte[] bytes, ImportOptions? options = null) =>
        server.WithScopeAsync(sp => sp.GetRequiredService<PeopleImporter>()
            .ImportAsync(new MemoryStream(bytes), options ?? new ImportOptions(), progress: null, CancellationToken.None));

    static async Task<ImportReport> ImportOkAsync(ChorusServer server, string csv, ImportOptions? options = null, bool bom = false)
    {
        var outcome = await ImportAsync(server, csv, options, bom);
        Assert.True(outcome.Ok, outcome.Problem?.Detail);
        return outcome.Value!;
    }

    static Task<Dictionary<string, Person>> PeopleAsync(ChorusServer server, string prefix) =>
        server.InDbAsync(db => db.People.AsNoTracking().Where(p => p.HandleKey.StartsWith(prefix)).ToDictionaryAsync(p => p.HandleKey));

    static string Handle(Dictionary<string, Person> people, long? id) => people.Values.Single(p => p.Id == id).HandleKey;

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Imports_people_with_managers_further_down_the_file_and_no_password(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var report = await ImportOkAsync(server, $"""
            handle,name,email,title,department,manager
            {p}dev,Dev One,{p}dev@example.com,Engineer,Engineering,{p}lead
            {p}lead,Lead,{p}lead@example.com,Lead,Engineering,{p}boss
            {p}boss,Boss,{p}boss@example.com,CEO,,
            """);

        Assert.Equal((3, 3), (report.Rows, report.Imported));
        Assert.Empty(report.Rejected);
        var people = await PeopleAsync(server, p);
        Assert.Equal(p + "lead", Handle(people, people[p + "dev"].ManagerId));
        Assert.Equal(p + "boss", Handle(people, people[p + "lead"].ManagerId));
        Assert.Null(people[p + "boss"].ManagerId);
        Assert.Null(people[p + "boss"].Department);
        Assert.All(people.Values, x => Assert.Null(x.PasswordHash));
        Assert.All(people.Values, x => Assert.Equal(PersonRole.Member, x.Role));
        var signIn = await server.WithScopeAsync(sp => sp.GetRequiredService<CredentialService>().CheckPasswordAsync(p + "dev", "anything-at-all", default));
        Assert.False(signIn.Ok);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Reads_columns_in_any_order_with_extra_columns_a_bom_crlf_and_quoted_fields(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var csv = $"Email,Ignored,MANAGER,Name,handle,Title\r\n" +
                  $"{p}a@example.com,x,,\"Doe, Jane \"\"JD\"\"\",{p}a,\"VP, Sales\"\r\n" +
                  $"{p}b@example.com,\"multi\r\nline extra\",{p}a,Ünïcødé Ñame,{p}b,\r\n";
        var report = await ImportOkAsync(server, csv, bom: true);

        Assert.Empty(report.Rejected);
        var people = await PeopleAsync(server, p);
        Assert.Equal("Doe, Jane \"JD\"", people[p + "a"].DisplayName);
        Assert.Equal("VP, Sales", people[p + "a"].JobTitle);
        Assert.Equal("Ünïcødé Ñame", people[p + "b"].DisplayName);
        Assert.Equal(p + "a", Handle(people, people[p + "b"].ManagerId));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Rejects_bad_rows_with_their_line_and_reason_and_imports_the_rest(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var report = await ImportOkAsync(server, $""""
            handle,name,email,manager
            {p}ok1,Good One,{p}ok1@example.com,
            bad handle!,Bad Handle,{p}bh@example.com,
            {p}nomail,No Mail,not-an-email,
            {p}long,{new string('n', 101)},{p}long@example.com,
            {p}ok2,"Good ""Two""",{p}ok2@example.com,{p}ok1
            ,No Handle,{p}nh@example.com,
            {p}lost,Lost,{p}lost@example.com,{p}nobody
            {p}self,Self,{p}self@example.com,{p}SELF
            {p}noname,,{p}noname@example.com,
            """");

        Assert.Equal((9, 2), (report.Rows, report.Imported));
        var reasons = report.Rejected.ToDictionary(r => r.Line, r => r.Reason);
        Assert.Equal([3, 4, 5, 7, 8, 9, 10], reasons.Keys);
        Assert.StartsWith("handle:", reasons[3]);
        Assert.StartsWith("email: is not an email address", reasons[4]);
        Assert.Equal("name: must be at most 100 characters.", reasons[5]);
        Assert.StartsWith("handle: is required", reasons[7]);
        Assert.Equal($"manager '{p}nobody' is not in the file or the directory.", reasons[8]);
        Assert.Contains("own manager", reasons[9]);
        Assert.Equal("name: is required.", reasons[10]);
        Assert.Equal("bad handle!", report.Rejected.Single(r => r.Line == 3).Handle);
        Assert.Equal([p + "ok1", p + "ok2"], (await PeopleAsync(server, p)).Keys.Order());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_manager_cycle_rejects_the_rows_on_it_and_the_rows_below_it(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var report = await ImportOkAsync(server, $"""
            handle,name,email,manager
            {p}a,A,{p}a@example.com,{p}b
            {p}b,B,{p}b@example.com,{p}c
            {p}c,C,{p}c@example.com,{p}a
            {p}d,D,{p}d@example.com,{p}a
            {p}e,E,{p}e@example.com,{p}f
            {p}f,F,{p}f@example.com,
            """);

        Assert.Equal(2, report.Imported);
        Assert.Equal([2, 3, 4, 5], report.Rejected.Select(r => r.Line));
        Assert.All(report.Rejected.Take(3), r => Assert.StartsWith("manager chain loops:", r.Reason));
        Assert.Contains($"{p}a → {p}b → {p}c → {p}a", report.Rejected[0].Reason);
        Assert.Equal($"manager '{p}a' is rejected (line 2).", report.Rejected[3].Reason);
        Assert.Equal([p + "e", p + "f"], (await PeopleAsync(server, p)).Keys.Order());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Duplicates_in_the_file_and_in_the_directory_are_rejected_so_a_rerun_is_safe(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var existing = await server.CreateUserAsync(p + "old");
        var csv = $"""
            handle,name,email,manager
            {p}new,New,{p}new@example.com,{existing.Handle}
            {p}NEW,Same Handle Other Case,{p}other@example.com,
            {p}twin,Same Email,{p}NEW@example.com,
            {existing.Handle},Exists,{p}x@example.com,
            {p}mail,Email Exists,{existing.Handle}@example.com,
            """;
        var first = await ImportOkAsync(server, csv);

        Assert.Equal(1, first.Imported);
        Assert.Equal(
            [$"handle '{p}NEW' is already used on line 2.", $"email '{p}NEW@example.com' is already used on line 2.",
             $"handle '{existing.Handle}' already exists.", $"email '{existing.Handle}@example.com' belongs to someone else."],
            first.Rejected.Select(r => r.Reason));
        var people = await PeopleAsync(server, p);
        Assert.Equal(existing.Id, people[p + "new"].ManagerId);

        var again = await ImportOkAsync(server, csv);
        Assert.Equal(0, again.Imported);
        Assert.Equal($"handle '{p}new' already exists.", again.Rejected[0].Reason);
        Assert.Equal(people.Count, (await PeopleAsync(server, p)).Count);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_missing_required_column_is_an_error_and_nothing_is_imported(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var outcome = await ImportAsync(server, $"""
            handle,name,mail
            {p}a,A,{p}a@example.com
            """);

        Assert.False(outcome.Ok);
        Assert.Contains("'email'", outcome.Problem!.Detail);
        Assert.Empty(await PeopleAsync(server, p));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Unreadable_files_are_errors_and_nothing_is_imported(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var latin1 = Encoding.Latin1.GetBytes($"handle,name,email\n{p}a,Jos\u00e9,{p}a@example.com\n");
        var notUtf8 = await ImportBytesAsync(server, latin1);
        Assert.Contains("UTF-8", notUtf8.Problem!.Detail);

        var unclosed = await ImportAsync(server, $"handle,name,email\n{p}b,B,{p}b@example.com\n{p}c,\"C,{p}c@example.com\n");
        Assert.Contains("line 3", unclosed.Problem!.Detail);

        Assert.False((await ImportAsync(server, "")).Ok);
        Assert.Empty(await PeopleAsync(server, p));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_dry_run_reports_without_writing_and_a_shared_password_lets_people_sign_in(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var csv = $"handle,name,email\n{p}a,A,{p}a@example.com\n{p}b,B,{p}b@example.com\n";
        var dry = await ImportOkAsync(server, csv, new ImportOptions(Password: "trial-password", DryRun: true));
        Assert.Equal((2, true), (dry.Imported, dry.DryRun));
        Assert.Empty(await PeopleAsync(server, p));

        Assert.False((await ImportAsync(server, csv, new ImportOptions(Password: "short"))).Ok);
        await ImportOkAsync(server, csv, new ImportOptions(Password: "trial-password"));
        var signIn = await server.WithScopeAsync(sp => sp.GetRequiredService<CredentialService>().CheckPasswordAsync(p + "b", "trial-password", default));
        Assert.True(signIn.Ok, signIn.Problem?.Detail);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_chain_longer_than_a_batch_with_every_manager_further_down_is_written_managers_first(string db)
    {
        var server = servers[db];
        var p = Prefix();
        var n = PeopleImporter.BatchSize * 2 + 500;
        var csv = new StringBuilder("handle,name,email,manager\n");
        // Row i reports to row i + 1: every manager appears later in the file, and the chain crosses every batch.
        for (var i = 0; i < n; i++) csv.Append($"{p}{i},Person {i},{p}{i}@example.com,{(i + 1 < n ? $"{p}{i + 1}" : "")}\n");
        var progress = new List<ImportProgress>();
        var report = await server.WithScopeAsync(sp => sp.GetRequiredService<PeopleImporter>().ImportAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())), new ImportOptions(), new SyncProgress(progress.Add), default));

        Assert.Equal(n, report.Value!.Imported);
        var people = await PeopleAsync(server, p);
        Assert.Equal(people[p + "1"].Id, people[p + "0"].ManagerId);
        Assert.Equal(people[$"{p}{n - 1}"].Id, people[$"{p}{n - 2}"].ManagerId);
        Assert.Equal(new ImportProgress("importing", n, n), progress[^1]);
        Assert.Contains(new ImportProgress("importing", PeopleImporter.BatchSize, n), progress);
    }

    sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
