using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.People;

public sealed class PeopleApiTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Directory_searches_name_handle_and_title_and_filters_by_department(string db)
    {
        var server = servers[db];
        var dept = "Dept" + Guid.NewGuid().ToString("N")[..6];
        var a = await server.CreateUserAsync(department: dept);
        var b = await server.CreateUserAsync(department: dept);
        var other = await server.CreateUserAsync();

        var inDept = await (await a.Client.GetAsync($"/api/v1/people?department={dept}")).JsonAsync();
        Assert.Equal(new[] { a.Handle, b.Handle }.Order(), inDept.GetProperty("items").EnumerateArray().Select(p => p.Str("handle")).Order());
        var byHandle = await (await a.Client.GetAsync($"/api/v1/people?query={other.Handle.ToUpperInvariant()}")).JsonAsync();
        Assert.Equal([other.Handle], byHandle.GetProperty("items").EnumerateArray().Select(p => p.Str("handle")));

        var first = await (await a.Client.GetAsync($"/api/v1/people?department={dept}&limit=1")).JsonAsync();
        var second = await (await a.Client.GetAsync($"/api/v1/people?department={dept}&limit=1&cursor={first.Str("nextCursor")}")).JsonAsync();
        Assert.NotEqual(first.GetProperty("items")[0].Str("handle"), second.GetProperty("items")[0].Str("handle"));

        await (await a.Client.GetAsync("/api/v1/people?limit=500")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await a.Client.GetAsync("/api/v1/people?cursor=%%%")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        var departments = await (await a.Client.GetAsync("/api/v1/departments")).JsonAsync();
        Assert.Contains(departments.EnumerateArray(), d => d.Str("name") == dept && d.GetProperty("people").GetInt32() == 2);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Profile_shows_manager_chain_and_direct_reports(string db)
    {
        var server = servers[db];
        var ceo = await server.CreateUserAsync();
        var vp = await server.CreateUserAsync(managerHandle: ceo.Handle);
        var dev = await server.CreateUserAsync(managerHandle: vp.Handle);
        var dev2 = await server.CreateUserAsync(managerHandle: vp.Handle);

        var profile = await (await dev.Client.GetAsync($"/api/v1/people/{dev.Handle}")).JsonAsync();
        Assert.Equal([vp.Handle, ceo.Handle], profile.GetProperty("managerChain").EnumerateArray().Select(p => p.Str("handle")));
        Assert.Equal(vp.Handle, profile.GetProperty("person").GetProperty("manager").Str("handle"));
        var vpProfile = await (await dev.Client.GetAsync($"/api/v1/people/{vp.Handle}")).JsonAsync();
        Assert.Equal(new[] { dev.Handle, dev2.Handle }.Order(), vpProfile.GetProperty("directReports").EnumerateArray().Select(p => p.Str("handle")).Order());
        await (await dev.Client.GetAsync("/api/v1/people/nobody-" + Guid.NewGuid().ToString("N")[..6])).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    /// <summary>The chain is read in one recursive query; stored data with a loop in it (written around the importer,
    /// which refuses loops) still ends, each manager shown once.</summary>
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_manager_chain_with_a_loop_in_the_stored_data_ends(string db)
    {
        var server = servers[db];
        var a = await server.CreateUserAsync();
        var b = await server.CreateUserAsync(managerHandle: a.Handle);
        var c = await server.CreateUserAsync(managerHandle: b.Handle);
        await server.InDbAsync(d => d.People.Where(p => p.Id == a.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.ManagerId, c.Id)));

        var profile = await (await a.Client.GetAsync($"/api/v1/people/{c.Handle}")).JsonAsync();
        Assert.Equal([b.Handle, a.Handle], profile.GetProperty("managerChain").EnumerateArray().Select(p => p.Str("handle")));
        var top = await (await a.Client.GetAsync($"/api/v1/people/{a.Handle}")).JsonAsync();
        Assert.Equal([c.Handle, b.Handle], top.GetProperty("managerChain").EnumerateArray().Select(p => p.Str("handle")));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Follow_lists_counts_and_bad_follows(string db)
    {
        var server = servers[db];
        var a = await server.CreateUserAsync();
        var b = await server.CreateUserAsync();
        await (await a.Client.PostAsync($"/api/v1/people/{b.Handle}/follow", null)).JsonAsync();
        await (await a.Client.PostAsync($"/api/v1/people/{b.Handle}/follow", null)).JsonAsync();
        var followers = await (await a.Client.GetAsync($"/api/v1/people/{b.Handle}/followers")).JsonAsync();
        Assert.Equal([a.Handle], followers.GetProperty("items").EnumerateArray().Select(p => p.Str("handle")));
        var following = await (await b.Client.GetAsync($"/api/v1/people/{a.Handle}/following")).JsonAsync();
        Assert.Equal([b.Handle], following.GetProperty("items").EnumerateArray().Select(p => p.Str("handle")));
        var profile = await (await a.Client.GetAsync($"/api/v1/people/{b.Handle}")).JsonAsync();
        Assert.Equal(1, profile.GetProperty("person").GetProperty("followers").GetInt32());
        Assert.True(profile.GetProperty("person").GetProperty("followedByMe").GetBoolean());

        await (await a.Client.PostAsync($"/api/v1/people/{a.Handle}/follow", null)).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await a.Client.PostAsync("/api/v1/people/ghost-" + Guid.NewGuid().ToString("N")[..6] + "/follow", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await a.Client.GetAsync($"/api/v1/people/{b.Handle}/followers?cursor=x")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
    }

    /// <summary>Follow counts are kept in memory (FollowCounts); each test read comes first, so memory holds the old
    /// counts, and the follow or unfollow must show on the very next read, for both people, in profiles and pages.</summary>
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Follow_counts_change_on_the_next_read_after_a_follow_or_unfollow(string db)
    {
        var server = servers[db];
        var a = await server.CreateUserAsync();
        var b = await server.CreateUserAsync();
        async Task<(int Followers, int Following)> CountsAsync(TestUser who)
        {
            var person = (await (await a.Client.GetAsync($"/api/v1/people/{who.Handle}")).JsonAsync()).GetProperty("person");
            return (person.GetProperty("followers").GetInt32(), person.GetProperty("following").GetInt32());
        }
        Assert.Equal((0, 0), await CountsAsync(b));
        Assert.Equal((0, 0), await CountsAsync(a));

        await (await a.Client.PostAsync($"/api/v1/people/{b.Handle}/follow", null)).JsonAsync();
        Assert.Equal((1, 0), await CountsAsync(b));
        Assert.Equal((0, 1), await CountsAsync(a));
        var me = await (await a.Client.GetAsync("/api/v1/me")).JsonAsync();
        Assert.Equal(1, me.GetProperty("person").GetProperty("following").GetInt32());

        await (await b.Client.PostAsync($"/api/v1/people/{a.Handle}/follow", null)).JsonAsync();
        Assert.Equal((1, 1), await CountsAsync(b));
        Assert.Equal((1, 1), await CountsAsync(a));

        (await a.Client.DeleteAsync($"/api/v1/people/{b.Handle}/follow")).EnsureSuccessStatusCode();
        Assert.Equal((0, 1), await CountsAsync(b));
        Assert.Equal((1, 0), await CountsAsync(a));
        // The web profile reads the same counts.
        var page = await (await a.Client.GetAsync($"/people/{b.Handle}")).Content.ReadAsStringAsync();
        Assert.Contains("<strong>0</strong> followers", page);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Profile_edits_are_validated_and_org_fields_are_for_admins(string db)
    {
        var server = servers[db];
        var a = await server.CreateUserAsync();
        var admin = await server.CreateUserAsync(admin: true);
        var updated = await (await a.Client.PatchJsonAsync("/api/v1/me", new { displayName = "Ada L.", bio = "Hello\nthere", location = "Lisbon" })).JsonAsync();
        Assert.Equal("Ada L.", updated.GetProperty("person").Str("displayName"));
        Assert.Equal("Lisbon", updated.GetProperty("person").Str("location"));

        await (await a.Client.PatchJsonAsync("/api/v1/me", new { displayName = "" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await a.Client.PatchJsonAsync("/api/v1/me", new { bio = new string('b', 1001) })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await a.Client.PatchJsonAsync("/api/v1/me", new { role = "admin" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await a.Client.PatchJsonAsync($"/api/v1/people/{admin.Handle}", new { jobTitle = "x" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await a.Client.PostAsJsonAsync("/api/v1/people", new { handle = "x" + a.Handle, displayName = "X", email = "x@example.com" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var byAdmin = await (await admin.Client.PatchJsonAsync($"/api/v1/people/{a.Handle}", new { managerHandle = admin.Handle, jobTitle = "Lead" })).JsonAsync();
        Assert.Equal(admin.Handle, byAdmin.GetProperty("person").GetProperty("manager").Str("handle"));
        await (await admin.Client.PatchJsonAsync($"/api/v1/people/{admin.Handle}", new { managerHandle = a.Handle })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Admins_create_people_with_checked_fields(string db)
    {
        var server = servers[db];
        var admin = await server.CreateUserAsync(admin: true);
        var handle = ChorusServer.NewHandle("n");
        var created = await (await admin.Client.PostAsJsonAsync("/api/v1/people", new { handle, displayName = "New Person", email = handle + "@example.com", department = "Ops" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(handle, created.GetProperty("person").Str("handle"));
        await (await admin.Client.PostAsJsonAsync("/api/v1/people", new { handle, displayName = "Dup", email = "other" + handle + "@example.com" })).ProblemAsync(HttpStatusCode.Conflict, "handle-taken");
        await (await admin.Client.PostAsJsonAsync("/api/v1/people", new { handle = "bad handle!", displayName = "X", email = "x1@example.com" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await admin.Client.PostAsJsonAsync("/api/v1/people", new { handle = "ok" + handle, displayName = "X", email = "not-an-email" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await admin.Client.PostAsJsonAsync("/api/v1/people", new { handle = "ok2" + handle, displayName = "X", email = "y" + handle + "@example.com", managerHandle = "nobody-at-all" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Deactivation_stops_sign_in_and_tokens_but_keeps_posts_attributed(string db)
    {
        var server = servers[db];
        var admin = await server.CreateUserAsync(admin: true);
        var leaver = await server.CreateUserAsync();
        var postId = (await (await leaver.PostAsync("my last post")).JsonAsync(HttpStatusCode.Created)).Str("id");

        await (await leaver.Client.PostAsync($"/api/v1/people/{admin.Handle}/deactivate", null)).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await admin.Client.PostAsync($"/api/v1/people/{leaver.Handle}/deactivate", null)).JsonAsync();

        await (await leaver.Client.GetAsync("/api/v1/me")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var anon = server.CreateClient();
        await (await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = leaver.Handle, password = ChorusServer.Password, name = "x" })).ProblemAsync(HttpStatusCode.Forbidden, "deactivated");
        var post = await (await admin.Client.GetAsync($"/api/v1/posts/{postId}")).JsonAsync();
        Assert.Equal(leaver.Handle, post.GetProperty("author").Str("handle"));
        Assert.False(post.GetProperty("author").GetProperty("active").GetBoolean());
        var directory = await (await admin.Client.GetAsync($"/api/v1/people?query={leaver.Handle}")).JsonAsync();
        Assert.Empty(directory.GetProperty("items").EnumerateArray());
        await (await admin.Client.PostAsync($"/api/v1/people/{admin.Handle}/deactivate", null)).ProblemAsync(HttpStatusCode.Conflict, "self-deactivation");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Avatars_must_be_real_images_and_are_served_as_images(string db)
    {
        var server = servers[db];
        var a = await server.CreateUserAsync();
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var profile = await (await a.Client.PutAsync("/api/v1/me/avatar", content)).JsonAsync();
        var url = profile.GetProperty("person").Str("avatarUrl");
        var image = await a.Client.GetAsync(url);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(png, await image.Content.ReadAsByteArrayAsync());

        var html = new ByteArrayContent("<html><script>alert(1)</script></html>"u8.ToArray());
        html.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        await (await a.Client.PutAsync("/api/v1/me/avatar", html)).ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await a.Client.PutAsync("/api/v1/me/avatar", new ByteArrayContent(new byte[1024 * 1024 + 1]))).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "too-large");
        await (await a.Client.PutAsync("/api/v1/me/avatar", new ByteArrayContent([]))).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }
}
