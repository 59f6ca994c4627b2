using Chorus.Server.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Chorus.Tests.Infrastructure;

public sealed class IdAndSettingsTests
{
    [Fact]
    public void Ids_are_unique_and_increase_with_time()
    {
        var ids = new IdGenerator(TimeProvider.System, 7);
        var made = Enumerable.Range(0, 20_000).Select(_ => ids.Next()).ToList();
        Assert.Equal(made.Count, made.Distinct().Count());
        Assert.Equal(made, made.Order());
        Assert.True(Math.Abs((IdGenerator.TimeOf(made[^1]) - DateTime.UtcNow).TotalSeconds) < 60);
    }

    [Fact]
    public void Back_dated_ids_sort_by_their_time()
    {
        var ids = new IdGenerator(TimeProvider.System, 1);
        var older = ids.NextAt(DateTime.UtcNow.AddDays(-3));
        var newer = ids.NextAt(DateTime.UtcNow.AddDays(-1));
        Assert.True(older < newer);
        Assert.True(IdGenerator.FloorAt(DateTime.UtcNow.AddDays(-2)) is var floor && older < floor && floor < newer);
    }

    static ChorusSettings Settings(params (string Key, string? Value)[] values) =>
        ChorusSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Theory]
    [InlineData("Chorus:Database:Provider", "Oracle")]
    [InlineData("Chorus:Database:SqliteSynchronous", "OFF")]
    [InlineData("Chorus:NodeId", "5000")]
    [InlineData("Chorus:DataDirectory", " ")]
    public void Invalid_configuration_names_the_setting(string key, string value)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => Settings((key, value)));
        Assert.Equal(key, e.Setting);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Postgres_needs_a_connection_string_and_demo_seed_needs_a_real_password()
    {
        Assert.Equal("ConnectionStrings:Chorus", Assert.Throws<InvalidConfigurationException>(() => Settings(("Chorus:Database:Provider", "Postgres"))).Setting);
        Assert.Equal("Chorus:Demo:Password", Assert.Throws<InvalidConfigurationException>(() => Settings(("Chorus:Demo:Seed", "true"), ("Chorus:Demo:Password", "short"))).Setting);
        Assert.Equal("Chorus:Demo:Seed", Assert.Throws<InvalidConfigurationException>(() => Settings(("Chorus:Demo:Seed", "maybe"))).Setting);
    }

    [Fact]
    public void Postgres_connections_prepare_their_statements_unless_the_connection_string_says_otherwise()
    {
        static int AutoPrepare(string cs) => new Npgsql.NpgsqlConnectionStringBuilder(
            Settings(("Chorus:Database:Provider", "Postgres"), ("ConnectionStrings:Chorus", cs)).ConnectionString).MaxAutoPrepare;
        Assert.Equal(ChorusSettings.PostgresAutoPrepare, AutoPrepare("Host=db;Username=chorus;Database=chorus"));
        Assert.Equal(0, AutoPrepare("Host=db;Username=chorus;Max Auto Prepare=0"));
        Assert.Equal(20, AutoPrepare("Host=db;Username=chorus;maxautoprepare=20"));
        // SQLite's connection string is left as it is.
        Assert.DoesNotContain("Prepare", Settings().ConnectionString, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Defaults_are_the_embedded_sqlite_with_full_sync()
    {
        var s = Settings();
        Assert.Equal(DatabaseProvider.Sqlite, s.Provider);
        Assert.Equal("FULL", s.SqliteSynchronous);
        Assert.False(s.SeedDemo);
        Assert.EndsWith(Path.Combine("data", "chorus.db"), new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(s.ConnectionString).DataSource);
    }
}
