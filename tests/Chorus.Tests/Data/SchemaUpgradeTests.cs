using System.Net;
using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Data;

public sealed class SchemaUpgradeTests
{
    /// <summary>
    /// A database made by the first release (schema version 1: people only) with a person in it is opened by the
    /// current server: every later migration applies at start-up, the person is still there and can post.
    /// </summary>
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_database_from_an_earlier_version_upgrades_and_keeps_its_data(string provider)
    {
        using var server = new ChorusServer(provider);
        var settings = ChorusSettings.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(server.Settings).Build());

        // 1. Create the old schema directly, the way version 1 of the server did, and put data in it.
        var options = DatabaseSetup.Configure(new DbContextOptionsBuilder<ChorusDb>(), settings).Options;
        Directory.CreateDirectory(server.DataDirectory);
        await using (var db = new ChorusDb((DbContextOptions<ChorusDb>)options))
        {
            var applied = await new SchemaMigrator(settings, NullLogger<SchemaMigrator>.Instance).MigrateAsync(targetVersion: 1);
            Assert.Equal([1], applied);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO people (id, handle, handle_key, display_name, email, email_key, role, failed_sign_ins, created_at, search_text) " +
                "VALUES (42, 'Old', 'old', 'Old Timer', 'old@example.com', 'old@example.com', 0, 0, {0}, 'old timer old')", DateTime.UtcNow);
            Assert.Equal(1, await new SchemaMigrator(settings, NullLogger<SchemaMigrator>.Instance).CurrentVersionAsync());
        }

        // 2. The current server starts on it: migrations run, the data survives and works with new features.
        var admin = await server.CreateUserAsync(admin: true);
        var version = await server.WithScopeAsync(sp => sp.GetRequiredService<SchemaMigrator>().CurrentVersionAsync());
        Assert.Equal(SchemaMigrator.LatestVersion(settings.Provider), version);
        var old = await (await admin.Client.GetAsync("/api/v1/people/old")).JsonAsync();
        Assert.Equal("Old Timer", old.GetProperty("person").Str("displayName"));
        await (await admin.Client.PostAsync("/api/v1/people/old/follow", null)).JsonAsync();
        var post = await (await admin.PostAsync("welcome back @old")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(["Old"], post.GetProperty("mentions").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public void Both_databases_have_the_same_migrations()
    {
        var sqlite = SchemaMigrator.Scripts(DatabaseProvider.Sqlite).Select(s => s.Name);
        var postgres = SchemaMigrator.Scripts(DatabaseProvider.Postgres).Select(s => s.Name);
        Assert.Equal(sqlite, postgres);
    }
}
