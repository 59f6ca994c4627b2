using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Feeds;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Feeds;

/// <summary>Trending topics are the organization's: only posts everyone in it may see count, and guests see none.</summary>
public sealed class TrendingTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_private_groups_topics_never_trend_and_guests_see_no_trends(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var guest = await server.CreateUserAsync(role: "guest");
        var open = "t" + Guid.NewGuid().ToString("N")[..10];
        var hidden = "t" + Guid.NewGuid().ToString("N")[..10];
        var gid = (await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name = "Trend " + hidden, kind = "private" })).JsonAsync(HttpStatusCode.Created)).Str("id");
        (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { guest.Handle } })).EnsureSuccessStatusCode();
        await (await owner.PostAsync($"Out in the open #{open}")).JsonAsync(HttpStatusCode.Created);
        for (var i = 0; i < 3; i++)
            await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = $"Only for us #{hidden} {i}", groupId = gid })).JsonAsync(HttpStatusCode.Created);

        async Task<List<string>> TrendsFor(TestUser user) => await server.WithScopeAsync(async sp =>
        {
            var viewer = (await sp.GetRequiredService<CredentialService>().ResolveAsync(user.Token, CredentialKind.Token, CancellationToken.None))!;
            return (await sp.GetRequiredService<TopicService>().TrendingAsync(viewer, 100_000, CancellationToken.None)).Select(t => t.Key).ToList();
        });
        var trends = await TrendsFor(owner);
        Assert.Contains(open, trends);
        Assert.DoesNotContain(hidden, trends); // not even for the group's own members: trends are organization-wide
        Assert.Empty(await TrendsFor(guest));
    }
}
