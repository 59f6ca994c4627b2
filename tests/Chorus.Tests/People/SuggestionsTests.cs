using System.Net;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.People;

/// <summary>Who to follow: people your network follows first; for someone new, the organization's most followed
/// (counted once every few minutes and shared, <c>PopularPeople</c>), never yourself or whom you follow already.</summary>
public sealed class SuggestionsTests(Servers servers)
{
    /// <summary>The API's default of five comes from the lists kept per person (NetworkSuggestions); fifty are counted afresh.</summary>
    static async Task<List<string>> SuggestedAsync(TestUser user, int limit = 5) =>
        (await (await user.Client.GetAsync($"/api/v1/people/suggestions?limit={limit}")).JsonAsync()).EnumerateArray().Select(p => p.Str("handle")).ToList();

    static async Task FollowAsync(TestUser who, TestUser whom) =>
        await (await who.Client.PostAsync($"/api/v1/people/{whom.Handle}/follow", null)).JsonAsync();

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task People_your_network_follows_come_first_never_yourself_or_whom_you_follow(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var friend = await server.CreateUserAsync();
        var theirs = await server.CreateUserAsync();
        await FollowAsync(me, friend);
        await FollowAsync(friend, theirs);
        await FollowAsync(friend, me);

        foreach (var limit in new[] { 5, 50 })
        {
            var suggested = await SuggestedAsync(me, limit);
            Assert.Equal(theirs.Handle, suggested[0]);
            Assert.DoesNotContain(me.Handle, suggested);
            Assert.DoesNotContain(friend.Handle, suggested);
        }
        // The kept list still holds them; the request leaves out whom the viewer follows now.
        await FollowAsync(me, theirs);
        Assert.DoesNotContain(theirs.Handle, await SuggestedAsync(me));
        Assert.DoesNotContain(theirs.Handle, await SuggestedAsync(me, 50));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Someone_new_is_shown_the_most_followed_and_not_again_once_followed(string db)
    {
        // A server of its own: the most-followed list is organization-wide, so other tests' follows would change it.
        using var server = new ChorusServer(db);
        var star = await server.CreateUserAsync();
        var known = await server.CreateUserAsync();
        var fans = new List<TestUser>();
        for (var i = 0; i < 3; i++) fans.Add(await server.CreateUserAsync());
        foreach (var fan in fans) await FollowAsync(fan, star);
        await FollowAsync(fans[0], known);
        // Nobody shares a department with the newcomer, so only the most followed can fill the list.
        var newcomer = await server.CreateUserAsync(department: "Solo " + Guid.NewGuid().ToString("N")[..8]);

        Assert.Equal([star.Handle, known.Handle], (await SuggestedAsync(newcomer)).Take(2));
        await FollowAsync(newcomer, star);
        // The shared list is still the one counted before; the request leaves out whom the newcomer follows now.
        var after = await SuggestedAsync(newcomer);
        Assert.DoesNotContain(star.Handle, after);
        Assert.Equal(known.Handle, after[0]);
        Assert.DoesNotContain(newcomer.Handle, after);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Guests_get_no_suggestions(string db)
    {
        var server = servers[db];
        var guest = await server.CreateUserAsync(role: "guest");
        // The directory is closed to guests (the guest fence answers as if it were not there); the service the web
        // pages' side column asks says none as well.
        using var response = await guest.Client.GetAsync("/api/v1/people/suggestions");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var suggested = await server.WithScopeAsync(async sp =>
        {
            var viewer = (await sp.GetRequiredService<CredentialService>().ResolveAsync(guest.Token, CredentialKind.Token, CancellationToken.None))!;
            return await sp.GetRequiredService<FollowService>().SuggestionsAsync(viewer, 5, CancellationToken.None);
        });
        Assert.Empty(suggested);
    }
}
