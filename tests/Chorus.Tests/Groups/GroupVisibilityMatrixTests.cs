using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Realtime;

namespace Chorus.Tests.Groups;

/// <summary>
/// The one visibility rule, proven on every surface: group kind × the viewer's relation to the group × every read
/// path that exists (post, reply, share, thread, home, company, group, topic and person feeds, notifications, the
/// user stream's events, opening the group and thread streams, and the web thread, group, home and topic pages). Add a surface here when one is added to the product.
/// </summary>
public sealed class GroupVisibilityMatrixTests(Servers servers)
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var db in new[] { "Sqlite", "Postgres" })
            foreach (var kind in new[] { "public", "private", "secret" })
                data.Add(db, kind);
        return data;
    }

    /// <summary>Who may read a post in a group of this kind.</summary>
    static bool Expected(string kind, string relation) => relation switch
    {
        "owner" or "admin" or "member" or "guest of this group" => true,
        "deactivated" or "guest of another group" => false,
        _ => kind == "public", // former member, requester, invited, non-member
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Every_surface_shows_a_group_post_exactly_to_those_the_rule_allows(string db, string kind)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var siteAdmin = await server.CreateUserAsync(admin: true);
        var viewers = new Dictionary<string, TestUser>
        {
            ["owner"] = owner,
            ["admin"] = await server.CreateUserAsync(),
            ["member"] = await server.CreateUserAsync(),
            ["former member"] = await server.CreateUserAsync(),
            ["requester"] = await server.CreateUserAsync(),
            ["invited"] = await server.CreateUserAsync(),
            ["guest of this group"] = await server.CreateUserAsync(role: "guest"),
            ["guest of another group"] = await server.CreateUserAsync(role: "guest"),
            ["non-member"] = await server.CreateUserAsync(),
            ["deactivated"] = await server.CreateUserAsync(),
        };
        // The author is a member too, but not one of the viewers: nobody is notified of their own post.
        var member = await server.CreateUserAsync();
        var group = await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name = "Matrix " + Guid.NewGuid().ToString("N")[..8], kind })).JsonAsync(HttpStatusCode.Created);
        var gid = group.Str("id");
        var other = await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name = "Other " + Guid.NewGuid().ToString("N")[..8], kind = "private" })).JsonAsync(HttpStatusCode.Created);

        await Add(owner, gid, "admin", viewers["admin"]);
        await Add(owner, gid, "member", member, viewers["member"], viewers["former member"], viewers["guest of this group"], viewers["deactivated"]);
        await Add(owner, other.Str("id"), "member", viewers["guest of another group"]);
        (await owner.Client.DeleteAsync($"/api/v1/groups/{gid}/members/{viewers["former member"].Handle}")).EnsureSuccessStatusCode();
        if (kind == "private")
        {
            Assert.Equal("requested", (await (await viewers["requester"].Client.PostAsync($"/api/v1/groups/{gid}/join", null)).JsonAsync()).Str("myState"));
            await (await member.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { viewers["invited"].Handle } })).JsonAsync();
            Assert.Equal("invited", (await (await viewers["invited"].Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).Str("myState"));
        }
        else if (kind == "public")
            await (await member.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { viewers["invited"].Handle } })).JsonAsync();
        else
        {
            // Secret: only its admins invite, and nobody can ask to join a group they cannot find.
            await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { viewers["invited"].Handle }, invite = true })).JsonAsync();
            Assert.Equal("invited", (await (await viewers["invited"].Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).Str("myState"));
            await (await viewers["requester"].Client.PostAsync($"/api/v1/groups/{gid}/join", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        }
        // Everyone follows the author, so the follow path of the home feed is exercised too.
        foreach (var (relation, v) in viewers.Where(v => v.Value != member && !v.Key.StartsWith("guest", StringComparison.Ordinal)))
            (await v.Client.PostAsync($"/api/v1/people/{member.Handle}/follow", null)).EnsureSuccessStatusCode();

        // Streams open before the post: the live path must apply the rule as the REST path does.
        var streams = new Dictionary<string, SseClient>();
        foreach (var (relation, v) in viewers.Where(v => v.Key != "deactivated"))
            streams[relation] = await SseClient.ConnectAsync(v.Client, "user");
        (await siteAdmin.Client.PostAsync($"/api/v1/people/{viewers["deactivated"].Handle}/deactivate", null)).EnsureSuccessStatusCode();

        var tag = "m" + Guid.NewGuid().ToString("N")[..8];
        var mentions = string.Join(' ', viewers.Values.Where(v => v != member).Select(v => "@" + v.Handle));
        var post = await (await member.Client.PostAsJsonAsync("/api/v1/posts", new { text = $"Group news #{tag} {mentions}", groupId = gid })).JsonAsync(HttpStatusCode.Created);
        var pid = post.Str("id");
        Assert.Equal(gid, post.GetProperty("group").Str("id"));
        var reply = await (await owner.PostAsync("A reply in the group", pid)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(gid, reply.GetProperty("group").Str("id"));
        var share = await (await owner.Client.PostAsJsonAsync($"/api/v1/posts/{pid}/shares", new { comment = "worth reading" })).JsonAsync(HttpStatusCode.Created);

        // A marker every viewer receives after the post on their user stream: a new follower.
        var marker = await server.CreateUserAsync();
        foreach (var v in viewers.Values.Where(v => v != viewers["deactivated"]))
            (await marker.Client.PostAsync($"/api/v1/people/{v.Handle}/follow", null)).EnsureSuccessStatusCode();

        foreach (var (relation, v) in viewers)
        {
            var sees = Expected(kind, relation);
            var because = $"{kind} group, {relation}";
            var c = v.Client;
            if (relation == "deactivated")
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync($"/api/v1/posts/{pid}")).StatusCode);
                await AssertNoNotificationAsync(server, v, pid);
                continue;
            }
            Assert.True(sees == ((await c.GetAsync($"/api/v1/posts/{pid}")).StatusCode == HttpStatusCode.OK), because + ": GET post");
            Assert.True(sees == ((await c.GetAsync($"/api/v1/posts/{reply.Str("id")}")).StatusCode == HttpStatusCode.OK), because + ": GET reply");
            Assert.True(sees == ((await c.GetAsync($"/api/v1/posts/{pid}/thread")).StatusCode == HttpStatusCode.OK), because + ": thread");
            Assert.True(sees == ((await c.GetAsync($"/api/v1/posts/{share.Str("id")}")).StatusCode == HttpStatusCode.OK), because + ": share");
            Assert.True(sees == await FeedHasAsync(c, "/api/v1/timelines/home", pid), because + ": home feed");
            Assert.True(sees == await FeedHasAsync(c, $"/api/v1/groups/{gid}/feed", pid), because + ": group feed");
            // Topic pages are the organization's: closed to guests altogether.
            var guest = relation.StartsWith("guest", StringComparison.Ordinal);
            Assert.True((sees && !guest) == await FeedHasAsync(c, $"/api/v1/topics/{tag}", pid, "posts"), because + ": topic feed");
            Assert.True(sees == await FeedHasAsync(c, $"/api/v1/people/{member.Handle}/posts", pid), because + ": person feed");
            Assert.False(await FeedHasAsync(c, "/api/v1/timelines/company", pid), because + ": company feed holds no group posts");
            Assert.True(sees == await StreamOpensAsync(c, $"group:{gid}"), because + ": group stream");
            Assert.True(sees == await StreamOpensAsync(c, $"post:{pid}"), because + ": thread stream");
            // The web UI, as the viewer's browser reads it.
            var browser = await WebBrowser.SignInAsync(server, v);
            Assert.True(sees == await ShowsAsync(browser, $"/posts/{pid}", tag), because + ": web thread");
            Assert.True(sees == await ShowsAsync(browser, $"/groups/{gid}", tag), because + ": web group page");
            Assert.True(sees == await ShowsAsync(browser, "/", tag), because + ": web home");
            Assert.True((sees && !guest) == await ShowsAsync(browser, $"/topics/{tag}", "Group news"), because + ": web topic page");
            var notes = await (await c.GetAsync("/api/v1/notifications?kind=mention")).JsonAsync();
            Assert.True(sees == notes.GetProperty("items").EnumerateArray().Any(n => n.TryGetProperty("post", out var p) && p.ValueKind == JsonValueKind.Object && p.Str("id") == pid),
                because + ": mention notification");

            var sse = streams[relation];
            var seen = new List<SseEvent>();
            await sse.WaitForAsync(e => { seen.Add(e); return e.Event == "notification" && e.Data.Contains(marker.Handle, StringComparison.Ordinal); }, TimeSpan.FromSeconds(15));
            Assert.True(sees == seen.Any(e => e.Event == "post.created" && e.Data.Contains(pid, StringComparison.Ordinal)), because + ": user stream");
            Assert.True(sees == seen.Any(e => e.Event == "notification" && e.Data.Contains(pid, StringComparison.Ordinal)), because + ": streamed notification");
            await sse.DisposeAsync();
        }
    }

    static async Task Add(TestUser by, string gid, string role, params TestUser[] people) =>
        await (await by.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = people.Select(p => p.Handle).ToArray(), role })).JsonAsync();

    /// <summary>Whether a web page answers 200 with the text in it (side columns included: trending topics, say).</summary>
    static async Task<bool> ShowsAsync(WebBrowser browser, string url, string text)
    {
        using var response = await browser.GetAsync(url);
        return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains(text, StringComparison.Ordinal);
    }

    /// <summary>Whether a live stream may be opened (it is closed again at once).</summary>
    static async Task<bool> StreamOpensAsync(HttpClient client, string stream)
    {
        using var response = await client.GetAsync($"/api/v1/streaming?stream={Uri.EscapeDataString(stream)}", HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Whether a feed (any status: 403 and 404 count as "not shown") lists the post on its first page.</summary>
    static async Task<bool> FeedHasAsync(HttpClient client, string url, string postId, string? pageProperty = null)
    {
        var response = await client.GetAsync(url + (url.Contains('?') ? "&" : "?") + "limit=50");
        if (response.StatusCode != HttpStatusCode.OK) return false;
        var body = await response.JsonAsync();
        var page = pageProperty is null ? body : body.GetProperty(pageProperty);
        return page.GetProperty("items").EnumerateArray().Any(p => p.Str("id") == postId);
    }

    static async Task AssertNoNotificationAsync(ChorusServer server, TestUser person, string postId)
    {
        var id = long.Parse(postId, System.Globalization.CultureInfo.InvariantCulture);
        var count = await server.InDbAsync(db => Task.FromResult(db.Notifications.Count(n => n.RecipientId == person.Id && n.PostId == id)));
        Assert.Equal(0, count);
    }
}
