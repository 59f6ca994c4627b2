using System.Net;
using System.Net.Http.Json;
using Chorus.Tests.Realtime;

namespace Chorus.Tests.PostTypes;

/// <summary>
/// Group activity is live: a question, its answer and best answer, a poll's votes, an event's RSVPs and a membership
/// change arrive on the group's stream as they commit — for members only, through the one visibility rule.
/// </summary>
public sealed class PostTypeStreamTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Answers_votes_rsvps_and_memberships_arrive_on_the_group_stream_for_members_only(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var newcomer = await server.CreateUserAsync();
        var group = await PostTypeHelpers.GroupAsync(owner, "private", member);

        using (var refused = await outsider.Client.GetAsync($"/api/v1/streaming?stream=group:{group}", HttpCompletionOption.ResponseHeadersRead))
            await refused.ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await using var watching = await SseClient.ConnectAsync(member.Client, $"group:{group}");
        // The outsider listens to everything they may: the company stream and the author's posts (through follows).
        (await outsider.Client.PostAsync($"/api/v1/people/{owner.Handle}/follow", null)).EnsureSuccessStatusCode();
        await using var outside = await SseClient.ConnectAsync(outsider.Client, "user,company");

        var question = (await owner.CreateAsync(group, "questions", new { text = "Who has the release checklist?" })).Str("id");
        Assert.Contains(question, (await watching.WaitForAsync(e => e.Event == "post.created")).Data, StringComparison.Ordinal);
        var answer = (await (await member.PostAsync("It is on the wiki", question)).JsonAsync(HttpStatusCode.Created)).Str("id");
        await watching.WaitForAsync(e => e.Event == "post.created" && e.Json.Str("id") == answer);
        (await owner.Client.PostAsJsonAsync($"/api/v1/posts/{question}/best-answer", new { replyId = answer })).EnsureSuccessStatusCode();
        var marked = await watching.WaitForAsync(e => e.Event == "post.updated" && e.Json.Str("id") == question);
        Assert.Equal(answer, marked.Json.GetProperty("details").Str("bestAnswerId"));

        var poll = (await owner.CreateAsync(group, "polls", new { text = "Ship on Friday?", options = new[] { "Yes", "No" } })).Str("id");
        await watching.WaitForAsync(e => e.Event == "post.created" && e.Json.Str("id") == poll);
        (await member.Client.PostAsJsonAsync($"/api/v1/posts/{poll}/votes", new { options = new[] { 0 } })).EnsureSuccessStatusCode();
        await watching.WaitForAsync(e => e.Event == "post.updated" && e.Json.Str("id") == poll);

        var meeting = (await owner.CreateAsync(group, "events", new
        {
            title = "Release review", start = "2031-03-01T10:00:00", end = "2031-03-01T11:00:00", timeZone = "Europe/Berlin", place = "Room 4",
        })).Str("id");
        await watching.WaitForAsync(e => e.Event == "post.created" && e.Json.Str("id") == meeting);
        (await member.Client.PutAsJsonAsync($"/api/v1/posts/{meeting}/rsvp", new { answer = "yes" })).EnsureSuccessStatusCode();
        var rsvp = await watching.WaitForAsync(e => e.Event == "post.updated" && e.Json.Str("id") == meeting);
        Assert.Equal(1, rsvp.Json.GetProperty("details").GetProperty("rsvps").GetProperty("yes").GetInt32());

        // A newcomer's membership is an event for them, and the group's posts reach them from then on.
        await using var joining = await SseClient.ConnectAsync(newcomer.Client, "user");
        (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{group}/members", new { handles = new[] { newcomer.Handle } })).EnsureSuccessStatusCode();
        Assert.Equal("member", (await joining.WaitForAsync(e => e.Event == "group.membership")).Json.Str("state"));
        var joined = await watching.WaitForAsync(e => e.Event == "group.member");
        Assert.Equal((newcomer.Handle, "member", group), (joined.Json.Str("person"), joined.Json.Str("state"), joined.Json.Str("groupId")));
        var welcome = (await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "Welcome aboard", groupId = group })).JsonAsync(HttpStatusCode.Created)).Str("id");
        await joining.WaitForAsync(e => e.Event == "post.created" && e.Json.Str("id") == welcome);
        await watching.WaitForAsync(e => e.Event == "post.created" && e.Json.Str("id") == welcome);

        // The outsider heard none of it: a marker on their own stream proves the stream was live all along.
        (await newcomer.Client.PostAsync($"/api/v1/people/{outsider.Handle}/follow", null)).EnsureSuccessStatusCode();
        var seen = new List<SseEvent>();
        await outside.WaitForAsync(e => { seen.Add(e); return e.Event == "notification"; });
        Assert.DoesNotContain(seen, e => new[] { question, answer, poll, meeting, welcome }.Any(id => e.Data.Contains(id, StringComparison.Ordinal)));
    }
}
