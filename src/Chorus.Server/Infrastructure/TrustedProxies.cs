using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// X-Forwarded-For / X-Forwarded-Proto from the reverse proxies named in <c>Chorus:TrustedProxies</c> (comma-separated
/// addresses; default none). Only those peers are believed: anyone else could forge the headers to dodge the
/// per-address sign-in limit or to look like HTTPS.
/// </summary>
public static class TrustedProxies
{
    public const string Setting = "Chorus:TrustedProxies";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = Parse(configuration[Setting]);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // The defaults trust loopback; Chorus trusts exactly the configured list and nothing when it is empty.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) o.KnownProxies.Add(proxy);
            o.ForwardedHeaders = proxies.Count > 0 ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
        });
        return services;
    }

    public static IReadOnlyList<IPAddress> Parse(string? value)
    {
        var list = new List<IPAddress>();
        foreach (var item in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPAddress.TryParse(item, out var address))
                throw new InvalidConfigurationException(Setting, $"'{item}' is not an IP address; list the proxies' addresses separated by commas.");
            list.Add(address);
            // Kestrel reports IPv4 peers on a dual-stack socket as IPv4-mapped IPv6; trust both spellings.
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) list.Add(address.MapToIPv6());
        }
        return list;
    }
}
