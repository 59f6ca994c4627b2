using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Server.Features.Posts;
using Chorus.Tests.PostTypes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chorus.Tests.ReadModel;

/// <summary>
/// Feeds, posts and credentials are served from each node's memory once read (docs/adr/008-read-model.md). Every test
/// here first reads, so the memory holds the old state, then changes something and reads again at once: the change
/// must show on the very next read, as if there were no memory.
/// </summary>
public sealed class ReadModelTests(Servers servers)
{
    static async Task<JsonElement?> InFeedAsync(HttpClient client, string url, string id)
    {
        var page = await (await client.GetAsync(url)).JsonAsync();
        foreach (var item in page.GetProperty("items").EnumerateArray())
            if (item.Str("id") == id) return item;
        return null;
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Reactions_replies_shares_edits_renames_and_deletions_show_on_the_next_read(string db)
    {
        var server = servers[db];
        var reader = await server.CreateUserAsync();
        var author = await server.CreateUserAsync();
        await (await reader.Client.PostAsync($"/api/v1/people/{author.Handle}/follow", null)).JsonAsync();
        var id = (await (await author.PostAsync("to be changed")).JsonAsync(HttpStatusCode.Created)).Str("id");
        const string home = "/api/v1/timelines/home?limit=50";
        var before = (await InFeedAsync(reader.Client, home, id))!.Value;
        Assert.Equal(0, before.GetProperty("replyCount").GetInt32());

        await (await reader.Client.PostAsync($"/api/v1/posts/{id}/reactions/love", null)).JsonAsync();
        var reacted = (await InFeedAsync(reader.Client, home, id))!.Value;
        Assert.Equal(1, reacted.GetProperty("reactions").GetProperty("love").GetInt32());
        Assert.Equal(["love"], reacted.GetProperty("myReactions").EnumerateArray().Select(r => r.GetString()));
        // The author's copy of the same cached post: their own reactions are none, and they may edit.
        var authors = (await InFeedAsync(author.Client, $"/api/v1/people/{author.Handle}/posts", id))!.Value;
        Assert.Empty(authors.GetProperty("myReactions").EnumerateArray());
        Assert.True(authors.GetProperty("canEdit").GetBoolean());

        await (await reader.PostAsync("a reply", id)).JsonAsync(HttpStatusCode.Created);
        await (await reader.Client.PostAsync($"/api/v1/posts/{id}/shares", null)).JsonAsync(HttpStatusCode.Created);
        await (await author.Client.PatchJsonAsync($"/api/v1/posts/{id}", new { text = "changed #edited" })).JsonAsync();
        await (await author.Client.PatchJsonAsync("/api/v1/me", new { displayName = "New Name" })).JsonAsync();
        var after = (await InFeedAsync(reader.Client, home, id))!.Value;
        Assert.Equal(1, after.GetProperty("replyCount").GetInt32());
        Assert.Equal(1, after.GetProperty("shareCount").GetInt32());
        Assert.Equal("changed #edited", after.Str("text"));
        Assert.Equal(["edited"], after.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("New Name", after.GetProperty("author").Str("displayName"));

        (await author.Client.DeleteAsync($"/api/v1/posts/{id}")).EnsureSuccessStatusCode();
        Assert.Null(await InFeedAsync(reader.Client, home, id));
        Assert.Null(await InFeedAsync(reader.Client, "/api/v1/timelines/company?limit=50", id));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_group_turned_private_hides_its_posts_from_outsiders_on_the_next_read(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var group = await PostTypeHelpers.GroupAsync(owner, "public");
        await (await outsider.Client.PostAsync($"/api/v1/people/{owner.Handle}/follow", null)).JsonAsync();
        var post = (await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "in the group", groupId = group })).JsonAsync(HttpStatusCode.Created)).Str("id");
        var seen = await InFeedAsync(outsider.Client, "/api/v1/timelines/home?limit=50", post);
        Assert.NotNull(seen);
        Assert.Equal(group, seen!.Value.GetProperty("group").Str("id"));

        await (await owner.Client.PatchJsonAsync($"/api/v1/groups/{group}", new { name = "Renamed " + group, kind = "private" })).JsonAsync();
        Assert.Null(await InFeedAsync(outsider.Client, "/api/v1/timelines/home?limit=50", post));
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Client.GetAsync($"/api/v1/posts/{post}")).StatusCode);
        var mine = await InFeedAsync(owner.Client, "/api/v1/timelines/home?limit=50", post);
        Assert.Equal("Renamed " + group, mine!.Value.GetProperty("group").Str("name"));
        Assert.Equal("private", mine.Value.GetProperty("group").Str("kind"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_member_removed_from_a_private_group_stops_seeing_it_on_the_next_request(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var group = await PostTypeHelpers.GroupAsync(owner, "private", member);
        var post = (await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "members only", groupId = group })).JsonAsync(HttpStatusCode.Created)).Str("id");
        Assert.NotNull(await InFeedAsync(member.Client, "/api/v1/timelines/home?limit=50", post));
        (await member.Client.GetAsync($"/api/v1/posts/{post}")).EnsureSuccessStatusCode();

        (await owner.Client.DeleteAsync($"/api/v1/groups/{group}/members/{member.Handle}")).EnsureSuccessStatusCode();
        Assert.Null(await InFeedAsync(member.Client, "/api/v1/timelines/home?limit=50", post));
        Assert.Equal(HttpStatusCode.NotFound, (await member.Client.GetAsync($"/api/v1/posts/{post}")).StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Revoking_a_token_or_deactivating_a_person_refuses_the_next_request(string db)
    {
        var server = servers[db];
        var admin = await server.CreateUserAsync(admin: true);
        var person = await server.CreateUserAsync();
        (await person.Client.GetAsync("/api/v1/timelines/home")).EnsureSuccessStatusCode();
        var tokens = await (await person.Client.GetAsync("/api/v1/me/tokens")).JsonAsync();
        var tokenId = tokens.EnumerateArray().First().Str("id");
        (await person.Client.DeleteAsync($"/api/v1/me/tokens/{tokenId}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await person.Client.GetAsync("/api/v1/timelines/home")).StatusCode);

        var other = await server.CreateUserAsync();
        (await other.Client.GetAsync("/api/v1/timelines/home")).EnsureSuccessStatusCode();
        (await admin.Client.PostAsync($"/api/v1/people/{other.Handle}/deactivate", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.Client.GetAsync("/api/v1/timelines/home")).StatusCode);

        // Role changes apply at once too: a demoted admin cannot use admin endpoints on the next request.
        var second = await server.CreateUserAsync(admin: true);
        (await second.Client.GetAsync("/api/v1/timelines/home")).EnsureSuccessStatusCode();
        await (await admin.Client.PatchJsonAsync($"/api/v1/people/{second.Handle}", new { role = "member" })).JsonAsync();
        Assert.Equal(HttpStatusCode.Forbidden,
            (await second.Client.PostAsync($"/api/v1/people/{person.Handle}/deactivate", null)).StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Paging_a_long_feed_from_memory_matches_the_database_page_by_page(string db)
    {
        // More posts than memory keeps per source (FeedSources.Depth), some hidden from the reader in a private group
        // and some deleted: the pages must walk all the visible ones once, newest first, whatever the page size.
        var server = servers[db];
        var reader = await server.CreateUserAsync();
        var author = await server.CreateUserAsync();
        var owner = await server.CreateUserAsync();
        var hidden = await PostTypeHelpers.GroupAsync(owner, "private", author);
        await (await reader.Client.PostAsync($"/api/v1/people/{author.Handle}/follow", null)).JsonAsync();
        var visible = new List<string>();
        for (var i = 0; i < 90; i++)
        {
            object body = i % 5 == 0 ? new { text = $"hidden {i}", groupId = hidden } : new { text = $"post {i}" };
            var id = (await (await author.Client.PostAsJsonAsync("/api/v1/posts", body)).JsonAsync(HttpStatusCode.Created)).Str("id");
            if (i % 5 == 0) continue;
            if (i % 7 == 0) (await author.Client.DeleteAsync($"/api/v1/posts/{id}")).EnsureSuccessStatusCode();
            else visible.Add(id);
        }
        visible.Reverse();
        foreach (var limit in new[] { 1, 7, 20, 100 })
        {
            var walked = new List<string>();
            string? cursor = null;
            do
            {
                var page = await (await reader.Client.GetAsync($"/api/v1/people/{author.Handle}/posts?limit={limit}" + (cursor is null ? "" : $"&cursor={cursor}"))).JsonAsync();
                walked.AddRange(page.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
                cursor = page.GetProperty("nextCursor").GetString();
            } while (cursor is not null && walked.Count <= visible.Count);
            Assert.Equal(visible, walked);
            var home = await (await reader.Client.GetAsync("/api/v1/timelines/home?limit=100")).JsonAsync();
            Assert.Equal(visible.Take(100), home.GetProperty("items").EnumerateArray().Select(p => p.Str("id")).Where(visible.Contains));
        }
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task The_hand_written_post_json_is_byte_for_byte_what_the_api_serializer_writes(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var reader = await server.CreateUserAsync();
        var group = await PostTypeHelpers.GroupAsync(author, "public", reader);
        var text = "Quotes \" and <b>tags</b>, émoji 🎉 and @" + reader.Handle + " #json";
        var created = await (await author.Client.PostAsJsonAsync("/api/v1/posts", new { text, groupId = group })).JsonAsync(HttpStatusCode.Created);
        var original = created.Str("id");
        await (await reader.Client.PostAsync($"/api/v1/posts/{original}/reactions/like", null)).JsonAsync();
        await (await reader.Client.PostAsync($"/api/v1/posts/{original}/shares", null)).JsonAsync(HttpStatusCode.Created);
        var poll = (await author.CreateAsync(group, "polls", new { text = "Which?", options = new[] { "a", "b" } })).Str("id");
        var edited = (await (await author.Client.PostAsJsonAsync("/api/v1/posts", new { text = "first words", groupId = group })).JsonAsync(HttpStatusCode.Created)).Str("id");
        (await author.Client.PatchAsJsonAsync($"/api/v1/posts/{edited}", new { text = "second words, \u2028 and a tab\t" })).EnsureSuccessStatusCode();
        var options = server.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var fast = new JsonSerializerOptions(options);
        fast.Converters.Add(new PostJson());
        var page = await server.WithScopeAsync(async sp =>
        {
            var viewer = (await sp.GetRequiredService<Chorus.Server.Features.Auth.CredentialService>()
                .ResolveAsync(reader.Token, Chorus.Server.Data.CredentialKind.Token, default))!;
            var feed = await sp.GetRequiredService<Chorus.Server.Features.Feeds.FeedService>().HomeAsync(viewer, null, 50, default);
            return feed.Value!;
        });
        Assert.Contains(page.Items, p => p.SharedPost is not null);
        Assert.Contains(page.Items, p => p.Id == poll && p.Details is not null);
        Assert.Contains(page.Items, p => p.Id == edited && p.EditedAt is not null);
        // The pre-written runs are there to be used (and compared below).
        Assert.All(page.Items, p => Assert.NotNull(p.Encoded));
        // The cached posts keep their text and HTML only there, and give back exactly what was written.
        Assert.All(page.Items, p => Assert.True(p.StringsAreEncoded));
        var first = page.Items.Single(p => p.Id == original);
        Assert.Equal(text, first.Text);
        Assert.Equal(created.Str("html"), first.Html);
        Assert.Equal("second words, \u2028 and a tab", page.Items.Single(p => p.Id == edited).Text.TrimEnd('\t'));
        await server.WithScopeAsync(sp =>
        {
            var cached = sp.GetRequiredService<Chorus.Server.Features.Posts.PostViews>().Cache;
            Assert.True(cached.TryGet(long.Parse(original, System.Globalization.CultureInfo.InvariantCulture), out var view));
            Assert.Equal("", view.Post.Text);
            Assert.Equal(text, view.Neutral.Text);
            return Task.CompletedTask;
        });
        Assert.Equal(JsonSerializer.Serialize(page, options), JsonSerializer.Serialize(page, fast));
        // Twice: the second time the authors' cards come from PostJson's memory.
        Assert.Equal(JsonSerializer.Serialize(page, options), JsonSerializer.Serialize(page, fast));
        // A DTO changed after it was rendered no longer matches its pre-written runs, and is written from its values.
        var changed = new Chorus.Server.Features.People.Page<PostDto>([.. page.Items.Select((p, i) => i switch
        {
            0 => p with { Text = "changed", Topics = ["other"] },
            1 => p with { ReplyCount = p.ReplyCount + 1, Kind = "question" },
            2 => p with { Author = p.Author with { DisplayName = "Renamed" } },
            _ => p,
        })], page.NextCursor);
        Assert.Contains("\"changed\"", JsonSerializer.Serialize(changed, fast));
        Assert.Equal(JsonSerializer.Serialize(changed, options), JsonSerializer.Serialize(changed, fast));
        // A page written by hand from the runs and cached cards (the feed's answers), with and without a cursor, with
        // posts that match their runs and posts that do not, and the reader's own parts (reactions, edit, a share, a poll).
        Assert.True(PostJson.WritesPagesFor(fast));
        Assert.Contains(page.Items, p => p.MyReactions.Count > 0);
        Assert.Contains(page.Items, p => p.CanEdit);
        Assert.Contains(page.Items, p => p.Group is not null);
        foreach (var written in new[] { page, changed, page with { NextCursor = "12345" }, page with { Items = [] } })
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            PostJson.WritePage(buffer, written, fast);
            Assert.Equal(JsonSerializer.Serialize(written, options), System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        Assert.False(PostJson.WritesPagesFor(new JsonSerializerOptions(options) { WriteIndented = true }));
        Assert.False(PostJson.WritesPagesFor(new JsonSerializerOptions(options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default }));
        // Another encoder or indentation: nothing pre-written is used.
        var indented = new JsonSerializerOptions(options) { WriteIndented = true };
        var indentedFast = new JsonSerializerOptions(indented);
        indentedFast.Converters.Add(new PostJson());
        Assert.Equal(JsonSerializer.Serialize(page, indented), JsonSerializer.Serialize(page, indentedFast));
        var strict = new JsonSerializerOptions(options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default };
        var strictFast = new JsonSerializerOptions(strict);
        strictFast.Converters.Add(new PostJson());
        Assert.Equal(JsonSerializer.Serialize(page, strict), JsonSerializer.Serialize(page, strictFast));
    }
}
