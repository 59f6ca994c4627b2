using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Realtime;

public sealed class StreamingTests(Servers servers)
{
    static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task The_user_stream_carries_followed_authors_and_topics_and_not_strangers(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var friend = await server.CreateUserAsync();
        var stranger = await server.CreateUserAsync();
        var tag = "rt" + Guid.NewGuid().ToString("N")[..8];
        await me.Client.PostAsync($"/api/v1/people/{friend.Handle}/follow", null);
        await me.Client.PostAsync($"/api/v1/topics/{tag}/follow", null);
        await using var sse = await SseClient.ConnectAsync(me.Client, "user");

        var fromFriend = (await (await friend.PostAsync("hello followers")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var offTopic = (await (await stranger.PostAsync("not for you")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var onTopic = (await (await stranger.PostAsync($"about #{tag}")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var own = (await (await me.PostAsync("my own")).JsonAsync(HttpStatusCode.Created)).Str("id");

        var events = await sse.DrainAsync(Quiet);
        var created = events.Where(e => e.Event == "post.created").Select(e => e.Json.Str("id")).ToList();
        Assert.Equal([fromFriend, onTopic, own], created);
        Assert.DoesNotContain(offTopic, created);
        Assert.True(events.Select(e => e.Id!.Value).SequenceEqual(events.Select(e => e.Id!.Value).Order()));
        // Other kinds may arrive too (the all-company group's membership event of a new account, when delivery lags).
        var mine = events.Single(e => e.Event == "post.created" && e.Json.Str("id") == own);
        Assert.True(mine.Json.GetProperty("canEdit").GetBoolean());
        var friends = events.Single(e => e.Event == "post.created" && e.Json.Str("id") == fromFriend);
        Assert.False(friends.Json.GetProperty("canEdit").GetBoolean());
        // The stream carries the REST API's JSON of the post, byte for byte.
        var rest = await (await me.Client.GetAsync($"/api/v1/posts/{fromFriend}")).Content.ReadAsStringAsync();
        Assert.Equal(rest, friends.Data);
        var mineRest = await (await me.Client.GetAsync($"/api/v1/posts/{own}")).Content.ReadAsStringAsync();
        Assert.Equal(mineRest, mine.Data);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Following_while_connected_changes_what_arrives(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var author = await server.CreateUserAsync();
        await using var sse = await SseClient.ConnectAsync(me.Client, "user");
        await (await me.Client.PostAsync($"/api/v1/people/{author.Handle}/follow", null)).JsonAsync();
        // The follow is itself an event; once it is processed, the author's posts route to this stream.
        var followed = (await (await author.PostAsync("after the follow")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var e = await sse.WaitForAsync(x => x.Event == "post.created");
        Assert.Equal(followed, e.Json.Str("id"));
        await (await me.Client.DeleteAsync($"/api/v1/people/{author.Handle}/follow")).JsonAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await author.PostAsync("after the unfollow");
        Assert.DoesNotContain(await sse.DrainAsync(Quiet), x => x.Event == "post.created");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_post_stream_carries_replies_reactions_edits_and_deletion_of_its_thread(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var root = (await (await ada.PostAsync("thread root")).JsonAsync(HttpStatusCode.Created)).Str("id");
        await using var sse = await SseClient.ConnectAsync(ben.Client, $"post:{root}");

        var reply = (await (await ben.PostAsync("a reply", root)).JsonAsync(HttpStatusCode.Created)).Str("id");
        await ada.Client.PostAsync($"/api/v1/posts/{root}/reactions/celebrate", null);
        await ada.Client.PatchJsonAsync($"/api/v1/posts/{reply}", new { text = "x" }); // someone else's: 403, no event
        await ben.Client.PatchJsonAsync($"/api/v1/posts/{reply}", new { text = "an edited reply" });
        var events = new List<SseEvent>();
        // Wait for the edit before deleting: an edit of a post deleted before it was delivered is not sent (the deletion is).
        events.Add(await sse.WaitForAsync(e => { events.Add(e); return e.Event == "post.updated"; }));
        events.RemoveAt(events.Count - 1);
        await ben.Client.DeleteAsync($"/api/v1/posts/{reply}");
        await (await ada.PostAsync("elsewhere")).JsonAsync(HttpStatusCode.Created);

        events.AddRange(await sse.DrainAsync(Quiet));
        // The root's own creation may still have been in flight when the stream attached; it belongs to the thread too.
        events.RemoveAll(e => e.Event == "post.created" && e.Json.Str("id") == root);
        Assert.True(events.Select(e => e.Event).SequenceEqual(["post.created", "reaction.changed", "post.updated", "post.deleted"]),
            string.Join("\n", events.Select(e => $"{e.Id} {e.Event} {e.Data}")));
        Assert.Equal(reply, events[0].Json.Str("id"));
        var reaction = events[1].Json;
        Assert.Equal(root, reaction.Str("postId"));
        Assert.Equal("celebrate", reaction.Str("kind"));
        Assert.True(reaction.GetProperty("added").GetBoolean());
        Assert.Equal(1, reaction.GetProperty("count").GetInt32());
        Assert.Equal(ada.Handle, reaction.Str("actor"));
        Assert.Equal("an edited reply", events[2].Json.Str("text"));
        Assert.Equal(reply, events[3].Json.Str("id"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Reconnecting_with_last_event_id_gets_exactly_what_was_missed(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var author = await server.CreateUserAsync();
        await me.Client.PostAsync($"/api/v1/people/{author.Handle}/follow", null);
        long last;
        await using (var sse = await SseClient.ConnectAsync(me.Client, "user"))
        {
            await author.PostAsync("seen live");
            last = (await sse.WaitForAsync(e => e.Event == "post.created")).Id!.Value;
        }
        var missed = new List<string>();
        for (var i = 0; i < 5; i++) missed.Add((await (await author.PostAsync($"missed {i}")).JsonAsync(HttpStatusCode.Created)).Str("id"));

        await using var again = await SseClient.ConnectAsync(me.Client, "user", last);
        var live = (await (await author.PostAsync("after the reconnect")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var events = (await again.DrainAsync(Quiet)).Where(e => e.Event == "post.created").ToList();
        Assert.Equal([.. missed, live], events.Select(e => e.Json.Str("id")));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        Assert.True(events.All(e => e.Id > last));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Nobody_receives_an_event_for_a_post_they_cannot_see(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var author = await server.CreateUserAsync();
        await me.Client.PostAsync($"/api/v1/people/{author.Handle}/follow", null);
        await using var sse = await SseClient.ConnectAsync(me.Client, "user,company");
        // A post in a private group the viewer is not in: the visibility rule hides it, so must the stream.
        await server.WithScopeAsync(async sp =>
        {
            var dbx = sp.GetRequiredService<ChorusDb>();
            var id = sp.GetRequiredService<Chorus.Server.Infrastructure.IdGenerator>().Next();
            dbx.Posts.Add(new Post { Id = id, RootId = id, AuthorId = author.Id, Text = "hidden", Html = "<p>hidden</p>", GroupId = 12345, MembersOnly = true, CreatedAt = DateTime.UtcNow });
            dbx.Events.Add(new ChangeEvent { Kind = "post.created", ActorId = author.Id, PostId = id, CreatedAt = DateTime.UtcNow });
            await dbx.SaveChangesAsync();
        });
        var visible = (await (await author.PostAsync("visible")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var events = await sse.DrainAsync(Quiet);
        // Other tests post on the same server: look at this author's posts only.
        Assert.Equal([visible], events.Where(e => e.Event == "post.created" && e.Json.GetProperty("author").Str("handle") == author.Handle)
            .Select(e => e.Json.Str("id")));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Revoking_the_token_closes_its_streams(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var tokenId = (await (await me.Client.GetAsync("/api/v1/me/tokens")).JsonAsync())[0].Str("id");
        await using var sse = await SseClient.ConnectAsync(me.Client, "company");
        Assert.Equal(HttpStatusCode.NoContent, (await me.Client.DeleteAsync($"/api/v1/me/tokens/{tokenId}")).StatusCode);
        var error = await sse.WaitForAsync(e => e.Event == "error", TimeSpan.FromSeconds(10));
        Assert.Contains("revoked", error.Json.Str("reason"));
        Assert.Null(await sse.NextAsync(TimeSpan.FromSeconds(5)));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Deactivation_closes_the_persons_streams(string db)
    {
        var server = servers[db];
        var admin = await server.CreateUserAsync(admin: true);
        var leaver = await server.CreateUserAsync();
        await using var sse = await SseClient.ConnectAsync(leaver.Client, "company");
        await (await admin.Client.PostAsync($"/api/v1/people/{leaver.Handle}/deactivate", null)).JsonAsync();
        var error = await sse.WaitForAsync(e => e.Event == "error", TimeSpan.FromSeconds(10));
        Assert.Contains("deactivated", error.Json.Str("reason"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_stream_requests_get_a_named_4xx(string db)
    {
        var me = await servers[db].CreateUserAsync();
        await (await me.Client.GetAsync("/api/v1/streaming?stream=bogus")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await me.Client.GetAsync("/api/v1/streaming")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await me.Client.GetAsync("/api/v1/streaming?stream=post:999999999")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await me.Client.GetAsync("/api/v1/streaming?stream=topic:bad%20tag")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        var badId = new HttpRequestMessage(HttpMethod.Get, "/api/v1/streaming?stream=company");
        badId.Headers.Add("Last-Event-ID", "yesterday");
        await (await me.Client.SendAsync(badId)).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        var many = string.Join('&', Enumerable.Range(0, 51).Select(i => $"stream=topic:t{i}"));
        await (await me.Client.GetAsync("/api/v1/streaming?" + many)).ProblemAsync(HttpStatusCode.BadRequest, "too-many-subscriptions");
        await (await servers[db].CreateClient().GetAsync("/api/v1/streaming?stream=company")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Each_person_has_a_connection_limit()
    {
        using var server = new ChorusServer("Sqlite", new Dictionary<string, string?> { ["Chorus:Streaming:MaxConnectionsPerPerson"] = "2" });
        var me = await server.CreateUserAsync();
        await using var a = await SseClient.ConnectAsync(me.Client, "company");
        await using var b = await SseClient.ConnectAsync(me.Client, "company");
        await (await me.Client.GetAsync("/api/v1/streaming?stream=company")).ProblemAsync(HttpStatusCode.TooManyRequests, "too-many-streams");
    }
}
