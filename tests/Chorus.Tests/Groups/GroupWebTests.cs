using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Groups;

/// <summary>The group pages as a browser gets them: members see the feed, outsiders of a private group see no posts, secret groups are 404, guests stay in their groups.</summary>
public sealed partial class GroupWebTests(Servers servers)
{
    static async Task<HttpClient> BrowserAsync(ChorusServer server, TestUser user)
    {
        var secret = await server.WithScopeAsync(async sp =>
        {
            var person = (await sp.GetRequiredService<PeopleService>().FindAsync(user.Handle, CancellationToken.None))!;
            return await sp.GetRequiredService<CredentialService>().CreateSessionAsync(person, "browser", CancellationToken.None);
        });
        var browser = server.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = server.CreateClient().BaseAddress! });
        browser.DefaultRequestHeaders.Add("Cookie", $"{ChorusAuthenticationHandler.SessionCookie}={secret}");
        return browser;
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Group_pages_show_members_the_feed_and_outsiders_nothing_private(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var name = "Web " + Guid.NewGuid().ToString("N")[..8];
        var gid = (await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name, kind = "private" })).JsonAsync(HttpStatusCode.Created)).Str("id");
        (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { member.Handle } })).EnsureSuccessStatusCode();
        await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "private plans for the offsite", groupId = gid })).JsonAsync(HttpStatusCode.Created);
        var secretGid = (await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name = name + " s", kind = "secret" })).JsonAsync(HttpStatusCode.Created)).Str("id");

        var asMember = await BrowserAsync(server, member);
        var page = await (await asMember.GetAsync($"/groups/{gid}")).Content.ReadAsStringAsync();
        Assert.Contains("private plans for the offsite", page);
        Assert.Contains("name=\"groupId\" value=\"" + gid + "\"", page);
        Assert.Contains("Ask question", page);
        Assert.DoesNotContain("Announce to all members", page);
        Assert.Contains("Announce to all members", await (await (await BrowserAsync(server, owner)).GetAsync($"/groups/{gid}")).Content.ReadAsStringAsync());
        Assert.Contains($"data-stream=\"group:{gid}\"", page);
        Assert.Contains(owner.Handle, await (await asMember.GetAsync($"/groups/{gid}/members")).Content.ReadAsStringAsync());
        Assert.Contains(name, await (await asMember.GetAsync("/groups")).Content.ReadAsStringAsync());

        var asOutsider = await BrowserAsync(server, outsider);
        var closed = await asOutsider.GetAsync($"/groups/{gid}");
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var closedHtml = await closed.Content.ReadAsStringAsync();
        Assert.DoesNotContain("private plans", closedHtml);
        Assert.Contains("Ask to join", closedHtml);
        Assert.Equal(HttpStatusCode.Forbidden, (await asOutsider.GetAsync($"/groups/{gid}/members")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asOutsider.GetAsync($"/groups/{secretGid}")).StatusCode);
        Assert.DoesNotContain(name + " s", await (await asOutsider.GetAsync("/groups")).Content.ReadAsStringAsync());

        var question = (await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/questions", new { text = "Which venue?" })).JsonAsync(HttpStatusCode.Created)).Str("id");
        await (await member.PostAsync("The harbour hall", question)).JsonAsync(HttpStatusCode.Created);
        var asOwner = await BrowserAsync(server, owner);
        Assert.Contains("Mark as best answer", await (await asOwner.GetAsync($"/posts/{question}")).Content.ReadAsStringAsync());
        Assert.DoesNotContain("Mark as best answer", await (await asMember.GetAsync($"/posts/{question}")).Content.ReadAsStringAsync());

        var guest = await server.CreateUserAsync(role: "guest");
        (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { guest.Handle } })).EnsureSuccessStatusCode();
        var asGuest = await BrowserAsync(server, guest);
        foreach (var url in new[] { "/company", "/people", $"/people/{owner.Handle}", "/topics/anything" })
        {
            var response = await asGuest.GetAsync(url);
            // Sent to their groups (the client may follow the redirect itself).
            var landed = response.StatusCode == HttpStatusCode.Redirect ? response.Headers.Location?.OriginalString : response.RequestMessage!.RequestUri!.AbsolutePath;
            Assert.True(landed == "/groups", $"{url} led to {landed} ({response.StatusCode})");
        }
        var guestGroups = await (await asGuest.GetAsync("/groups")).Content.ReadAsStringAsync();
        Assert.Contains(name, guestGroups);
        Assert.DoesNotContain("href=\"/company\"", guestGroups);
        Assert.Contains("private plans for the offsite", await (await asGuest.GetAsync($"/groups/{gid}")).Content.ReadAsStringAsync());
    }
}
