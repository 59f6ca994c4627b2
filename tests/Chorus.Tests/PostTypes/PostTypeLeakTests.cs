using System.Net;
using System.Net.Http.Json;

namespace Chorus.Tests.PostTypes;

/// <summary>Every post-type surface answers 404 for a post in a private group you are not a member of.</summary>
public sealed class PostTypeLeakTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task No_surface_shows_a_private_groups_post_to_a_non_member(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync(admin: true); // even a network admin is not a member
        var group = await PostTypeHelpers.GroupAsync(owner, "private", member);

        var announcement = (await owner.CreateAsync(group, "announcements", new { text = "secret plan" })).Str("id");
        var question = (await owner.CreateAsync(group, "questions", new { text = "secret question" })).Str("id");
        var reply = (await (await member.PostAsync("secret answer", question)).JsonAsync(HttpStatusCode.Created)).Str("id");
        var poll = (await owner.CreateAsync(group, "polls", new { text = "secret poll", options = new[] { "a", "b" } })).Str("id");
        var evt = (await owner.CreateAsync(group, "events", new { title = "secret party", start = "2030-01-01T18:00", end = "2030-01-01T22:00", timeZone = "UTC", place = "Roof" })).Str("id");
        Assert.Equal(0, await server.NotificationsAsync(outsider.Id, "announcement", announcement));

        var c = outsider.Client;
        var attempts = new (string What, Task<HttpResponseMessage> Call)[]
        {
            ("seen", c.PostAsync($"/api/v1/posts/{announcement}/seen", null)),
            ("seen list", c.GetAsync($"/api/v1/posts/{announcement}/seen")),
            ("pin", c.PostAsync($"/api/v1/posts/{announcement}/pin", null)),
            ("unpin", c.DeleteAsync($"/api/v1/posts/{announcement}/pin")),
            ("best answer", c.PostAsJsonAsync($"/api/v1/posts/{question}/best-answer", new { replyId = reply })),
            ("vote", c.PostAsJsonAsync($"/api/v1/posts/{poll}/votes", new { options = new[] { 0 } })),
            ("revote", c.PutAsJsonAsync($"/api/v1/posts/{poll}/votes", new { options = new[] { 0 } })),
            ("rsvp", c.PutAsJsonAsync($"/api/v1/posts/{evt}/rsvp", new { answer = "yes" })),
            ("attendees", c.GetAsync($"/api/v1/posts/{evt}/attendees")),
            ("ics", c.GetAsync($"/api/v1/posts/{evt}/event.ics")),
        };
        foreach (var (what, call) in attempts)
            Assert.True((await call).StatusCode == HttpStatusCode.NotFound, what);

        var questions = await (await c.GetAsync("/api/v1/questions?limit=100")).JsonAsync();
        Assert.DoesNotContain(question, questions.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        await (await c.GetAsync($"/api/v1/questions?groupId={group}")).JsonAsync();

        // The member reaches all of them.
        await (await member.Client.PostAsJsonAsync($"/api/v1/posts/{poll}/votes", new { options = new[] { 0 } })).JsonAsync();
        await (await member.Client.PutAsJsonAsync($"/api/v1/posts/{evt}/rsvp", new { answer = "yes" })).JsonAsync();
        await (await member.Client.PostAsync($"/api/v1/posts/{announcement}/seen", null)).JsonAsync();
        Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync($"/api/v1/posts/{evt}/event.ics")).StatusCode);
    }
}
