using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Infrastructure;

namespace Chorus.Tests.Infrastructure;

/// <summary>The per-address sign-in limit shows which client address the server believes.</summary>
public sealed class TrustedProxiesTests
{
    static async Task<HttpStatusCode> SignInFromAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/tokens")
        {
            Content = JsonContent.Create(new { handle = "nobody", password = "wrong-password", name = "t", scope = "read" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_limit()
    {
        using var server = new ChorusServer("Sqlite", new Dictionary<string, string?>
        {
            ["Chorus:Security:SignInPerMinute"] = "2",
            ["Chorus:TrustedProxies"] = "127.0.0.1",
        });
        var client = server.CreateClient();
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await SignInFromAsync(client, "10.0.0.1"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await SignInFromAsync(client, "10.0.0.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInFromAsync(client, "10.0.0.1"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await SignInFromAsync(client, "10.0.0.2"));
    }

    [Fact]
    public async Task Without_trusted_proxies_forwarded_headers_are_ignored()
    {
        using var server = new ChorusServer("Sqlite", new Dictionary<string, string?> { ["Chorus:Security:SignInPerMinute"] = "2" });
        var client = server.CreateClient();
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await SignInFromAsync(client, "10.0.0.1"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await SignInFromAsync(client, "10.0.0.2"));
        // A forged header does not buy a fresh limit: all three come from the same real peer.
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInFromAsync(client, "10.0.0.3"));
    }

    [Fact]
    public void A_proxy_that_is_not_an_address_names_the_setting()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TrustedProxies.Parse("10.0.0.1, nginx.internal"));
        Assert.Equal(TrustedProxies.Setting, e.Setting);
        Assert.Equal(2, TrustedProxies.Parse("10.0.0.1").Count);
        Assert.Empty(TrustedProxies.Parse(null));
    }
}
