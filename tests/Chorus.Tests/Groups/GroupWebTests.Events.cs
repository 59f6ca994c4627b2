using System.Net;
using Chorus.Tests.PostTypes;

namespace Chorus.Tests.Groups;

public sealed partial class GroupWebTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Events_tab_lists_upcoming_events_soonest_first_with_their_links(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var gid = await PostTypeHelpers.GroupAsync(owner, "private", member);

        var asMember = await WebBrowser.SignInAsync(server, member);
        var empty = await asMember.HtmlAsync($"/groups/{gid}/events");
        Assert.Contains("No upcoming events", empty);
        Assert.Contains($"href=\"/groups/{gid}?compose=event#new-event\"", empty);

        var later = (await owner.CreateAsync(gid, "events", new { title = "Summer party", start = "2031-07-01T18:00", end = "2031-07-01T23:00", timeZone = "Europe/Berlin", place = "Roof terrace" })).Str("id");
        var sooner = (await owner.CreateAsync(gid, "events", new { title = "Planning call", start = "2031-02-03T09:30", end = "2031-02-04T10:00", timeZone = "America/New_York", onlineUrl = "https://meet.example.com/plan" })).Str("id");
        var past = (await owner.CreateAsync(gid, "events", new { title = "Kick-off long ago", start = "2020-01-01T10:00", end = "2020-01-01T11:00", timeZone = "UTC", place = "Hall" })).Str("id");
        await (await member.Client.PutJsonAsync($"/api/v1/posts/{later}/rsvp", new { answer = "yes" })).JsonAsync();

        var html = WebUtility.HtmlDecode(await asMember.HtmlAsync($"/groups/{gid}/events"));
        Assert.DoesNotContain("Kick-off long ago", html);
        Assert.True(html.IndexOf("Planning call", StringComparison.Ordinal) < html.IndexOf("Summer party", StringComparison.Ordinal), "soonest first");
        Assert.Contains("Mon 3 Feb 2031, 09:30 – Tue 4 Feb 2031, 10:00", html);
        Assert.Contains("Tue 1 Jul 2031, 18:00 – 23:00", html);
        Assert.Contains("(Europe/Berlin)", html);
        Assert.Contains("Roof terrace", html);
        Assert.Contains("href=\"https://meet.example.com/plan\"", html);
        Assert.Contains("1 going · 0 maybe · 0 not going · you are going", html);
        Assert.Contains($"href=\"/posts/{sooner}\"", html);
        Assert.Contains($"href=\"/api/v1/posts/{later}/event.ics\"", html);
        Assert.DoesNotContain($"/posts/{past}", html);

        var api = await (await member.Client.GetAsync($"/api/v1/groups/{gid}/events")).JsonAsync();
        Assert.Equal([sooner, later], api.GetProperty("items").EnumerateArray().Select(p => p.Str("id")).ToArray());

        var asOutsider = await WebBrowser.SignInAsync(server, outsider);
        await asOutsider.HtmlAsync($"/groups/{gid}/events", HttpStatusCode.Forbidden);
        await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/events")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
