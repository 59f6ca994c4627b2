using System.Net;
using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chorus.Tests.Infrastructure;

public sealed class HttpSurfaceTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Health_readiness_and_the_openapi_document_answer(string db)
    {
        var client = servers[db].CreateClient();
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        var openapi = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = openapi.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/auth/tokens", "/api/v1/me", "/api/v1/people", "/api/v1/people/{handle}", "/api/v1/people/{handle}/follow",
                     "/api/v1/posts", "/api/v1/posts/{id}", "/api/v1/posts/{id}/thread", "/api/v1/posts/{id}/history",
                     "/api/v1/posts/{id}/reactions/{emoji}", "/api/v1/posts/{id}/shares", "/api/v1/timelines/home", "/api/v1/timelines/company",
                     "/api/v1/topics/{tag}", "/api/v1/topics/{tag}/follow" })
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");
    }

    /// <summary>
    /// The key ring loads once the server listens rather than before (W6, bench/findings.md), on a thread of its own:
    /// a fresh database gets exactly one key right after start, and Data Protection's own before-listening load is
    /// not registered.
    /// </summary>
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_new_database_gets_its_data_protection_key_at_start(string db)
    {
        using var server = new ChorusServer(db);
        server.StartServer();
        Task<int> Keys() => server.WithScopeAsync(sp => sp.GetRequiredService<ChorusDb>().Set<DataProtectionKey>().CountAsync());
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await Keys() == 0 && waited.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50);
        // A request that needs a key meanwhile waits for the same key ring: still one key.
        var anonymous = server.CreateClient();
        await anonymous.GetAsync("/login");
        Assert.Equal(1, await Keys());
        Assert.DoesNotContain(server.Services.GetServices<IHostedService>(), s => s.GetType().Name == "DataProtectionHostedService");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Every_response_carries_the_security_headers(string db)
    {
        var user = await servers[db].CreateUserAsync();
        foreach (var url in new[] { "/healthz", "/api/v1/me", "/api/v1/posts/1" })
            Check((await user.Client.GetAsync(url)).Headers);
        // The live stream is answered ahead of the middleware that sets them (StreamingEndpoints): it sets them itself,
        // on the stream and on its refusals.
        await using (var sse = await Realtime.SseClient.ConnectAsync(user.Client, "company"))
            Check(sse.Headers);
        var refused = await servers[db].CreateClient().GetAsync("/api/v1/streaming?stream=company");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        Check(refused.Headers);
        var unknown = await user.Client.GetAsync("/api/v1/streaming?stream=nope");
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Check(unknown.Headers);

        static void Check(System.Net.Http.Headers.HttpResponseHeaders headers)
        {
            var csp = headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Equal("nosniff", headers.GetValues("X-Content-Type-Options").Single());
        }
    }
}
