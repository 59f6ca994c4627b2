using System.Xml.Linq;
using Chorus.Server.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chorus.Server.Infrastructure;

public sealed class DataProtectionKey
{
    public long Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// Keeps the data-protection key ring in the database: an anti-forgery token issued by one node validates on every
/// other node, and survives restarts. The keys are not encrypted at rest — protect database backups accordingly
/// (docs/operations.md).
/// </summary>
public sealed class DatabaseKeyRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        return db.Set<DataProtectionKey>().AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        db.Set<DataProtectionKey>().Add(new DataProtectionKey
        {
            FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting), CreatedAt = DateTime.UtcNow,
        });
        db.SaveChanges();
    }

    public static IServiceCollection AddDatabaseKeyRing(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Chorus");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DatabaseKeyRepository(sp.GetRequiredService<IServiceScopeFactory>())));
        return services;
    }

    /// <summary>
    /// Data Protection registers a hosted service that loads the key ring before Kestrel starts. Its first read is
    /// this repository's EF Core query, so the server could not listen before EF Core had built its model (~0.6 s of
    /// a 2-core start, W6 in bench/findings.md). The server loads the key ring once listening instead
    /// (<see cref="LoadKeyRing"/>); a request that needs it first loads it itself. Call after everything that adds
    /// Data Protection (authentication, anti-forgery, Razor Pages each add it again). Should the framework rename
    /// the service, nothing breaks: the key ring is then loaded before listening again, as before.
    /// </summary>
    public static void LoadKeyRingAfterStart(IServiceCollection services)
    {
        var eager = services.Where(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList();
        foreach (var d in eager) services.Remove(d);
    }

    /// <summary>Loads the key ring, creating the first key in an empty database.</summary>
    public static void LoadKeyRing(IServiceProvider services, ILogger log)
    {
        try
        {
            services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Chorus.KeyRing").Protect([]);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            // As Data Protection's own start-up load does: log, and let the first request that needs a key try again.
            log.LogWarning(e, "The data-protection key ring could not be loaded at start");
        }
    }
}
