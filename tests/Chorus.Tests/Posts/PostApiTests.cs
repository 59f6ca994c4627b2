using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chorus.Tests.Posts;

public sealed class PostApiTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_post_renders_mentions_topics_and_markdown_and_is_stored(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var tag = "launch" + Guid.NewGuid().ToString("N")[..6];

        var post = await (await ada.PostAsync($"Hello @{ben.Handle} about #{tag} with **bold** and <script>alert(1)</script>")).JsonAsync(HttpStatusCode.Created);

        var html = post.Str("html");
        Assert.Contains($"<a href=\"/people/{ben.Handle}\" class=\"mention\">@{ben.Handle}</a>", html);
        Assert.Contains($"<a href=\"/topics/{tag}\" class=\"topic\">#{tag}</a>", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Equal([ben.Handle], post.GetProperty("mentions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([tag], post.GetProperty("topics").EnumerateArray().Select(e => e.GetString()));

        var again = await (await ben.Client.GetAsync($"/api/v1/posts/{post.Str("id")}")).JsonAsync();
        Assert.Equal(html, again.Str("html"));
        Assert.Equal(ada.Handle, again.GetProperty("author").Str("handle"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Replies_form_a_thread_of_any_depth(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var root = await (await ada.PostAsync("root")).JsonAsync(HttpStatusCode.Created);
        var r1 = await (await ben.PostAsync("first reply", root.Str("id"))).JsonAsync(HttpStatusCode.Created);
        var r2 = await (await ada.PostAsync("reply to the reply", r1.Str("id"))).JsonAsync(HttpStatusCode.Created);
        var r3 = await (await ben.PostAsync("deeper", r2.Str("id"))).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(root.Str("id"), r3.Str("rootId"));

        var thread = await (await ben.Client.GetAsync($"/api/v1/posts/{r2.Str("id")}/thread")).JsonAsync();
        Assert.Equal(root.Str("id"), thread.GetProperty("root").Str("id"));
        Assert.Equal([r1.Str("id"), r2.Str("id"), r3.Str("id")], thread.GetProperty("replies").EnumerateArray().Select(r => r.Str("id")));
        Assert.Equal(r2.Str("id"), thread.Str("focus"));
        var rootAgain = await (await ada.Client.GetAsync($"/api/v1/posts/{root.Str("id")}")).JsonAsync();
        Assert.Equal(1, rootAgain.GetProperty("replyCount").GetInt32());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Editing_keeps_a_visible_history(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var post = await (await ada.PostAsync("first #draft")).JsonAsync(HttpStatusCode.Created);
        var id = post.Str("id");

        var edited = await (await ada.Client.PatchJsonAsync($"/api/v1/posts/{id}", new { text = "second #final" })).JsonAsync();
        Assert.Equal("second #final", edited.Str("text"));
        Assert.NotEqual(JsonValueKind.Null, edited.GetProperty("editedAt").ValueKind);
        Assert.Equal(["final"], edited.GetProperty("topics").EnumerateArray().Select(e => e.GetString()));

        var history = await (await ada.Client.GetAsync($"/api/v1/posts/{id}/history")).JsonAsync();
        Assert.Equal(["second #final", "first #draft"], history.EnumerateArray().Select(h => h.Str("text")));
        Assert.True(history[0].GetProperty("current").GetBoolean());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_deleted_post_is_gone_from_every_surface(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var tag = "gone" + Guid.NewGuid().ToString("N")[..6];
        await ben.Client.PostAsync($"/api/v1/people/{ada.Handle}/follow", null);
        var post = await (await ada.PostAsync($"soon gone #{tag}")).JsonAsync(HttpStatusCode.Created);
        var id = post.Str("id");
        var share = await (await ben.Client.PostAsJsonAsync($"/api/v1/posts/{id}/shares", new { comment = "look" })).JsonAsync(HttpStatusCode.Created);

        (await ada.Client.DeleteAsync($"/api/v1/posts/{id}")).EnsureSuccessStatusCode();

        await (await ben.Client.GetAsync($"/api/v1/posts/{id}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await ben.Client.GetAsync($"/api/v1/posts/{id}/thread")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await ben.Client.GetAsync($"/api/v1/posts/{id}/history")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var home = await (await ben.Client.GetAsync("/api/v1/timelines/home?limit=100")).JsonAsync();
        Assert.DoesNotContain(home.GetProperty("items").EnumerateArray(), p => p.Str("id") == id);
        var company = await (await ben.Client.GetAsync("/api/v1/timelines/company?limit=100")).JsonAsync();
        Assert.DoesNotContain(company.GetProperty("items").EnumerateArray(), p => p.Str("id") == id);
        var profile = await (await ben.Client.GetAsync($"/api/v1/people/{ada.Handle}/posts")).JsonAsync();
        Assert.Empty(profile.GetProperty("items").EnumerateArray());
        var topic = await (await ben.Client.GetAsync($"/api/v1/topics/{tag}")).JsonAsync();
        Assert.Empty(topic.GetProperty("posts").GetProperty("items").EnumerateArray());
        // The share stays, but no longer carries the deleted post.
        var shareNow = await (await ben.Client.GetAsync($"/api/v1/posts/{share.Str("id")}")).JsonAsync();
        Assert.Equal(JsonValueKind.Null, shareNow.GetProperty("sharedPost").ValueKind);
        await (await ada.Client.PostAsync($"/api/v1/posts/{id}/reactions/like", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Reactions_are_one_of_each_kind_per_person(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var cy = await server.CreateUserAsync();
        var id = (await (await ada.PostAsync("react to me")).JsonAsync(HttpStatusCode.Created)).Str("id");

        await (await ben.Client.PostAsync($"/api/v1/posts/{id}/reactions/like", null)).JsonAsync();
        await (await ben.Client.PostAsync($"/api/v1/posts/{id}/reactions/like", null)).JsonAsync();
        var state = await (await cy.Client.PostAsync($"/api/v1/posts/{id}/reactions/{Uri.EscapeDataString("👍")}", null)).JsonAsync();
        Assert.Equal("like", state.Str("kind"));
        Assert.Equal(2, state.GetProperty("count").GetInt32());
        await (await ben.Client.PostAsync($"/api/v1/posts/{id}/reactions/celebrate", null)).JsonAsync();

        var post = await (await ben.Client.GetAsync($"/api/v1/posts/{id}")).JsonAsync();
        Assert.Equal(2, post.GetProperty("reactions").GetProperty("like").GetInt32());
        Assert.Equal(1, post.GetProperty("reactions").GetProperty("celebrate").GetInt32());
        Assert.Equal(["like", "celebrate"], post.GetProperty("myReactions").EnumerateArray().Select(e => e.GetString()));

        var after = await (await ben.Client.DeleteAsync($"/api/v1/posts/{id}/reactions/like")).JsonAsync();
        Assert.Equal(1, after.GetProperty("count").GetInt32());
        await (await ben.Client.PostAsync($"/api/v1/posts/{id}/reactions/angry", null)).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Shares_point_at_the_original_and_count(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var cy = await server.CreateUserAsync();
        var id = (await (await ada.PostAsync("share me")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var share = await (await ben.Client.PostAsJsonAsync($"/api/v1/posts/{id}/shares", new { comment = "worth reading" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(id, share.GetProperty("sharedPost").Str("id"));
        // Sharing the share shares the original.
        var again = await (await cy.Client.PostAsync($"/api/v1/posts/{share.Str("id")}/shares", null)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(id, again.GetProperty("sharedPost").Str("id"));
        var original = await (await ada.Client.GetAsync($"/api/v1/posts/{id}")).JsonAsync();
        Assert.Equal(2, original.GetProperty("shareCount").GetInt32());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Posts_are_served_as_activity_streams(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var id = (await (await ada.PostAsync("as2 #fed")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/posts/{id}");
        request.Headers.Accept.ParseAdd("application/activity+json");
        var response = await ada.Client.SendAsync(request);
        Assert.Equal("application/activity+json", response.Content.Headers.ContentType?.MediaType);
        var note = await response.JsonAsync();
        Assert.Equal("https://www.w3.org/ns/activitystreams", note.Str("@context"));
        Assert.Equal("Note", note.Str("type"));
        Assert.Equal(ada.Handle, note.GetProperty("attributedTo").Str("preferredUsername"));
        Assert.Contains(note.GetProperty("tag").EnumerateArray(), t => t.Str("type") == "Hashtag" && t.Str("name") == "#fed");
    }
}
