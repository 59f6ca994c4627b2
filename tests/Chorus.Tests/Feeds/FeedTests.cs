using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chorus.Tests.Feeds;

public sealed class FeedTests(Servers servers)
{
    static async Task<List<string>> Ids(HttpClient client, string url)
    {
        var page = await (await client.GetAsync(url)).JsonAsync();
        return page.GetProperty("items").EnumerateArray().Select(p => p.Str("id")).ToList();
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Home_feed_has_own_followed_people_followed_topics_and_shares_newest_first_without_duplicates(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var friend = await server.CreateUserAsync();
        var stranger = await server.CreateUserAsync();
        var tag = "t" + Guid.NewGuid().ToString("N")[..8];
        await (await me.Client.PostAsync($"/api/v1/people/{friend.Handle}/follow", null)).JsonAsync();
        await (await me.Client.PostAsync($"/api/v1/topics/{tag}/follow", null)).JsonAsync();
        // A second followed topic: the per-topic reads go to the database together and are split by topic again.
        await (await me.Client.PostAsync($"/api/v1/topics/{tag}x/follow", null)).JsonAsync();

        var mine = (await (await me.PostAsync("my own")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var otherTopic = (await (await stranger.PostAsync($"stranger on #{tag}x")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var friends = (await (await friend.PostAsync($"friend's post in #{tag}")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var strangerTopic = (await (await stranger.PostAsync($"stranger on #{tag}")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var strangerOther = (await (await stranger.PostAsync("stranger elsewhere")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var reply = (await (await friend.PostAsync("a reply stays in its thread", strangerOther)).JsonAsync(HttpStatusCode.Created)).Str("id");
        var share = (await (await friend.Client.PostAsync($"/api/v1/posts/{strangerOther}/shares", null)).JsonAsync(HttpStatusCode.Created)).Str("id");

        var home = await Ids(me.Client, "/api/v1/timelines/home?limit=100");
        Assert.Equal([share, strangerTopic, friends, otherTopic, mine], home);
        Assert.DoesNotContain(strangerOther, home);
        Assert.DoesNotContain(reply, home);

        var company = await Ids(me.Client, "/api/v1/timelines/company?limit=100");
        Assert.Contains(strangerOther, company);
        Assert.DoesNotContain(reply, company);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Following_and_unfollowing_changes_the_home_feed_at_once(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var author = await server.CreateUserAsync();
        var earlier = (await (await author.PostAsync("written before the follow")).JsonAsync(HttpStatusCode.Created)).Str("id");
        Assert.DoesNotContain(earlier, await Ids(me.Client, "/api/v1/timelines/home"));

        var state = await (await me.Client.PostAsync($"/api/v1/people/{author.Handle}/follow", null)).JsonAsync();
        Assert.True(state.GetProperty("following").GetBoolean());
        Assert.Contains(earlier, await Ids(me.Client, "/api/v1/timelines/home"));

        await (await me.Client.DeleteAsync($"/api/v1/people/{author.Handle}/follow")).JsonAsync();
        Assert.DoesNotContain(earlier, await Ids(me.Client, "/api/v1/timelines/home"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Cursor_paging_walks_every_post_once_across_both_sources(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var a = await server.CreateUserAsync();
        var b = await server.CreateUserAsync();
        var tag = "p" + Guid.NewGuid().ToString("N")[..8];
        await me.Client.PostAsync($"/api/v1/people/{a.Handle}/follow", null);
        await me.Client.PostAsync($"/api/v1/topics/{tag}/follow", null);
        var expected = new List<string>();
        for (var i = 0; i < 23; i++)
        {
            // Interleave: followed author, topic post by a stranger, followed author posting in the topic (both sources).
            var who = i % 3 == 1 ? b : a;
            var text = i % 3 == 0 ? $"post {i}" : $"post {i} #{tag}";
            expected.Add((await (await who.PostAsync(text)).JsonAsync(HttpStatusCode.Created)).Str("id"));
        }
        expected.Reverse();

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await me.Client.GetAsync("/api/v1/timelines/home?limit=4" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.Str("nextCursor");
            Assert.True(++pages < 50);
        } while (cursor is not null);
        Assert.Equal(expected, seen);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Paging_stays_exact_when_a_followees_newest_posts_are_in_a_group_the_reader_is_not_in(string db)
    {
        // The home feed reads each followee's newest n+1 roots as candidates before the visibility rule filters them,
        // so a run of posts the reader may not see must neither hide older visible posts nor repeat any.
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var a = await server.CreateUserAsync();
        var b = await server.CreateUserAsync();
        await me.Client.PostAsync($"/api/v1/people/{a.Handle}/follow", null);
        await me.Client.PostAsync($"/api/v1/people/{b.Handle}/follow", null);
        var gid = (await (await a.Client.PostAsJsonAsync("/api/v1/groups", new { name = "g" + Guid.NewGuid().ToString("N")[..10], kind = "private" }))
            .JsonAsync(HttpStatusCode.Created)).Str("id");
        async Task<string> Post(TestUser who, string text, string? group = null) =>
            (await (await who.Client.PostAsJsonAsync("/api/v1/posts", new { text, groupId = group })).JsonAsync(HttpStatusCode.Created)).Str("id");

        var expected = new List<string>();
        for (var i = 0; i < 3; i++) expected.Add(await Post(i == 1 ? b : a, $"before {i}"));
        var hidden = new List<string>();
        // 22 hidden posts: more than four slices of limit+1 candidates, so a page may end early and still be exact.
        for (var i = 0; i < 22; i++)
        {
            hidden.Add(await Post(a, $"members only {i}", gid));
            if (i % 8 == 7) expected.Add(await Post(b, $"between {i}"));
        }
        for (var i = 0; i < 3; i++) expected.Add(await Post(a, $"after {i}"));
        expected.Reverse();

        foreach (var limit in new[] { 1, 4, 20 })
        {
            var seen = new List<string>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var page = await (await me.Client.GetAsync($"/api/v1/timelines/home?limit={limit}" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
                var items = page.GetProperty("items").EnumerateArray().Select(p => p.Str("id")).ToList();
                Assert.True(items.Count <= limit);
                seen.AddRange(items);
                cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.Str("nextCursor");
                Assert.True(++pages < 100);
            } while (cursor is not null);
            Assert.Equal(expected, seen);
        }
        // A member of the group sees the hidden posts in the same places.
        var member = (await a.Client.GetAsync("/api/v1/timelines/home?limit=100")).JsonAsync();
        Assert.Equal(hidden.AsEnumerable().Reverse(), (await member).GetProperty("items").EnumerateArray().Select(p => p.Str("id")).Where(hidden.Contains));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_page_examines_a_bounded_number_of_posts_and_ends_short_with_a_cursor_that_goes_on(string db)
    {
        // 120 posts the reader may not see above the one it may: more than a one-item page examines (50 per item asked
        // for, plus one). The first page ends empty with a cursor; following it finds the visible post, exactly once.
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var a = await server.CreateUserAsync();
        var gid = (await (await a.Client.PostAsJsonAsync("/api/v1/groups", new { name = "g" + Guid.NewGuid().ToString("N")[..10], kind = "secret" }))
            .JsonAsync(HttpStatusCode.Created)).Str("id");
        var visible = (await (await a.PostAsync("the one you may see")).JsonAsync(HttpStatusCode.Created)).Str("id");
        await Task.WhenAll(Enumerable.Range(0, 120).Select(async i =>
            await (await a.Client.PostAsJsonAsync("/api/v1/posts", new { text = $"secret {i}", groupId = gid })).JsonAsync(HttpStatusCode.Created)));

        var first = await (await me.Client.GetAsync($"/api/v1/people/{a.Handle}/posts?limit=1")).JsonAsync();
        Assert.Empty(first.GetProperty("items").EnumerateArray());
        var seen = new List<string>();
        var cursor = first.Str("nextCursor");
        var pages = 1;
        while (cursor is not null)
        {
            var page = await (await me.Client.GetAsync($"/api/v1/people/{a.Handle}/posts?limit=1&cursor={cursor}")).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.Str("nextCursor");
            Assert.True(++pages < 10);
        }
        Assert.Equal([visible], seen);
        // The author sees them all.
        var all = await (await a.Client.GetAsync($"/api/v1/people/{a.Handle}/posts?limit=100")).JsonAsync();
        Assert.Equal(100, all.GetProperty("items").GetArrayLength());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Feed_paging_input_is_checked(string db)
    {
        var me = await servers[db].CreateUserAsync();
        await (await me.Client.GetAsync("/api/v1/timelines/home?limit=101")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await me.Client.GetAsync("/api/v1/timelines/home?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await me.Client.GetAsync("/api/v1/timelines/company?cursor=abc")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await me.Client.GetAsync("/api/v1/timelines/company?limit=lots")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await me.Client.GetAsync("/api/v1/topics/nosuchtopic" + Guid.NewGuid().ToString("N")[..6])).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await me.Client.PostAsync("/api/v1/topics/bad%20tag!/follow", null)).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Topic_page_lists_posts_with_the_topic_case_insensitively(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var tag = "Mixed" + Guid.NewGuid().ToString("N")[..6];
        var id = (await (await ada.PostAsync($"about #{tag}")).JsonAsync(HttpStatusCode.Created)).Str("id");
        var page = await (await ada.Client.GetAsync($"/api/v1/topics/{tag.ToLowerInvariant()}")).JsonAsync();
        Assert.Equal(tag, page.GetProperty("topic").Str("tag"));
        Assert.Equal(1, page.GetProperty("topic").GetProperty("posts").GetInt32());
        Assert.Equal([id], page.GetProperty("posts").GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        var followed = await (await ada.Client.PostAsync($"/api/v1/topics/{tag.ToUpperInvariant()}/follow", null)).JsonAsync();
        Assert.True(followed.GetProperty("followedByMe").GetBoolean());
    }
}
