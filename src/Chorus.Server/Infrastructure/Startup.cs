using Chorus.Server.Data;
using Chorus.Server.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// What happens once before the server listens (schema migrations, the node number, the demo organization) and once
/// it listens (the data-protection key ring, the setup link). Readiness needs only the first part.
/// </summary>
public static class Startup
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var settings = sp.GetRequiredService<ChorusSettings>();
        var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Chorus.Startup");
        await sp.GetRequiredService<SchemaMigrator>().MigrateAsync(ct: ct);

        if (settings.Provider == DatabaseProvider.Postgres && !settings.NodeIdConfigured)
        {
            // Several nodes share one database: take a distinct node number for the id generator from a sequence.
            await using var connection = await DatabaseSetup.OpenConnectionAsync(settings, ct);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT nextval('node_numbers') % 1024";
            var node = Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            sp.GetRequiredService<IdGenerator>().UseNode(node);
        }
        // The demo organization (Development) is written through EF Core, so only then does EF Core build its model
        // before the server listens; otherwise the first EF Core query after it listens does.
        if (settings.SeedDemo && !await sp.GetRequiredService<ChorusDb>().People.AnyAsync(ct))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var seeded = await sp.GetRequiredService<DemoSeeder>().SeedAsync(settings.DemoPassword, progress: null, ct);
            log.LogInformation("Seeded the demo organization: {People} people, {Posts} posts in {Seconds:F1} s",
                seeded.People, seeded.Posts, started.Elapsed.TotalSeconds);
        }
    }

    /// <summary>Once listening: say where, and how to get in.</summary>
    public static void AnnounceWhenStarted(WebApplication app)
    {
        // On a thread of its own: this runs on a thread-pool thread and blocks (loading the key ring is synchronous and
        // builds EF Core's model), and on two cores the pool then had no thread left for the first requests — /readyz
        // waited ~0.5–1 s on a new PostgreSQL database (W6 in bench/findings.md).
        app.Lifetime.ApplicationStarted.Register(() => new Thread(() => Announce(app)) { IsBackground = true, Name = "Chorus start-up" }.Start());
    }

    static void Announce(WebApplication app)
    {
        try
        {
            var settings = app.Services.GetRequiredService<ChorusSettings>();
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Chorus");
            // Once listening, not before (DatabaseKeyRepository.LoadKeyRingAfterStart): cookies and anti-forgery tokens need it.
            DatabaseKeyRepository.LoadKeyRing(app.Services, log);
            var url = app.Urls.FirstOrDefault()?.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://+", "://localhost") ?? "http://localhost:5000";
            log.LogInformation("Chorus is running at {Url} ({Provider}, data in {DataDirectory}, node {Node})",
                url, settings.Provider, settings.Provider == DatabaseProvider.Sqlite ? settings.DataDirectory : "PostgreSQL",
                app.Services.GetRequiredService<IdGenerator>().Node);
            using var scope = app.Services.CreateScope();
            var setup = scope.ServiceProvider.GetRequiredService<SetupService>();
            if (settings.SeedDemo)
            {
                log.LogInformation("Demo sign-in: handle 'ada' (member) or 'admin' (admin), password '{Password}'", settings.DemoPassword);
                return;
            }
            var secret = setup.CreateLinkSecretAsync(CancellationToken.None).GetAwaiter().GetResult();
            if (secret is not null)
                log.LogWarning("No admin exists yet. Create the first admin at {Url}/setup?token={Secret} (valid 24 h, once) or with `chorus create-admin`.", url, secret);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The database went away right after start: requests report it (/readyz); the setup link is made at the next start.
            app.Logger.LogError(e, "Could not finish start-up (data-protection key ring, setup link)");
        }
    }
}
