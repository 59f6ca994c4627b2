using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Data;
using Chorus.Server.Features.Admin;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Admin;

public sealed class DemoAndSetupTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task The_demo_organization_is_a_living_network_with_known_accounts(string provider)
    {
        using var server = new ChorusServer(provider, new Dictionary<string, string?> { ["Chorus:Demo:Seed"] = "true", ["Chorus:Demo:Password"] = "demo-password" });
        var client = server.CreateClient();
        foreach (var handle in new[] { "ada", "ben", "admin" })
            await (await client.PostAsJsonAsync("/api/v1/auth/tokens", new { handle, password = "demo-password", name = "t" })).JsonAsync(HttpStatusCode.Created);

        var stats = await server.InDbAsync(async db => new
        {
            People = await db.People.CountAsync(),
            Departments = await db.People.Select(p => p.Department).Distinct().CountAsync(),
            Managed = await db.People.CountAsync(p => p.ManagerId != null),
            Posts = await db.Posts.CountAsync(),
            Replies = await db.Posts.CountAsync(p => p.ReplyToId != null),
            Shares = await db.Posts.CountAsync(p => p.ShareOfId != null),
            Mentions = await db.PostMentions.CountAsync(),
            Topics = await db.PostTopics.CountAsync(),
            Reactions = await db.Reactions.CountAsync(),
            TopFollowed = await db.Follows.GroupBy(f => f.FolloweeId).Select(g => g.Count()).OrderByDescending(n => n).FirstAsync(),
            Admin = await db.People.SingleAsync(p => p.HandleKey == "admin"),
            Oldest = await db.Posts.MinAsync(p => p.CreatedAt),
        });
        Assert.Equal(DemoSeeder.PeopleCount, stats.People);
        Assert.True(stats.Departments >= 10);
        Assert.Equal(stats.People - 2, stats.Managed); // the CEO and the partner's guest have no manager; everyone else has one
        Assert.Equal(DemoSeeder.PostCount + DemoGroups.PostCount, stats.Posts);
        Assert.InRange(stats.Replies, 500, 1500);
        Assert.InRange(stats.Shares, 50, 300);
        Assert.True(stats.Mentions > 50 && stats.Topics > 1000 && stats.Reactions > 3000);
        Assert.True(stats.TopFollowed > 200, "a few leaders are widely followed");
        Assert.Equal(PersonRole.Admin, stats.Admin.Role);
        Assert.InRange((DateTime.UtcNow - stats.Oldest).TotalDays, 25, 31);

        var ada = await server.WithScopeAsync(async sp =>
        {
            var person = (await sp.GetRequiredService<PeopleService>().FindAsync("ada", CancellationToken.None))!;
            return (await sp.GetRequiredService<CredentialService>().CreateTokenAsync(person.Id, "t", "read", null, CancellationToken.None)).Value!.Token;
        });
        var adaClient = server.CreateClient();
        adaClient.DefaultRequestHeaders.Authorization = new("Bearer", ada);
        var home = await (await adaClient.GetAsync("/api/v1/timelines/home")).JsonAsync();
        Assert.Equal(20, home.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_demo_seed_is_deterministic()
    {
        async Task<List<string>> Handles()
        {
            using var server = new ChorusServer("Sqlite", new Dictionary<string, string?> { ["Chorus:Demo:Seed"] = "true" });
            server.StartServer();
            return await server.InDbAsync(db => db.People.OrderBy(p => p.Id).Select(p => p.Handle + "|" + p.ManagerId.HasValue).ToListAsync());
        }
        Assert.Equal(await Handles(), await Handles());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_production_database_starts_empty_and_the_setup_link_creates_the_first_admin_once(string provider)
    {
        using var server = new ChorusServer(provider);
        server.StartServer();
        Assert.Equal(0, await server.InDbAsync(db => db.People.CountAsync()));
        await (await server.CreateClient().PostAsJsonAsync("/api/v1/auth/tokens", new { handle = "admin", password = "chorus-demo" }))
            .ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");

        await server.WithScopeAsync(async sp =>
        {
            var setup = sp.GetRequiredService<SetupService>();
            var secret = await setup.CreateLinkSecretAsync(CancellationToken.None);
            Assert.NotNull(secret);
            Assert.False(await setup.IsValidAsync("chorus_setup_forged", CancellationToken.None));
            Assert.True(await setup.IsValidAsync(secret, CancellationToken.None));
            var weak = await setup.CompleteAsync(secret, new NewPerson("boss", "The Boss", "boss@example.com", Password: "short"), CancellationToken.None);
            Assert.Equal("validation", weak.Problem!.Kind);
            var done = await setup.CompleteAsync(secret, new NewPerson("boss", "The Boss", "boss@example.com", Password: "a-long-password"), CancellationToken.None);
            Assert.Equal(PersonRole.Admin, done.Value!.Role);
            Assert.False(await setup.IsValidAsync(secret, CancellationToken.None));
            var again = await setup.CompleteAsync(secret, new NewPerson("boss2", "Second", "boss2@example.com", Password: "a-long-password"), CancellationToken.None);
            Assert.Equal("forbidden", again.Problem!.Kind);
            Assert.Null(await setup.CreateLinkSecretAsync(CancellationToken.None));
        });
        await (await server.CreateClient().PostAsJsonAsync("/api/v1/auth/tokens", new { handle = "boss", password = "a-long-password", name = "t" })).JsonAsync(HttpStatusCode.Created);
    }
}
