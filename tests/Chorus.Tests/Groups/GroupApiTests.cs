using System.Net;
using System.Net.Http.Json;
using Chorus.Tests.Realtime;

namespace Chorus.Tests.Groups;

public sealed class GroupApiTests(Servers servers)
{
    static string Name(string prefix = "G") => prefix + " " + Guid.NewGuid().ToString("N")[..8];

    static async Task<string> CreateAsync(TestUser by, string kind, string? name = null) =>
        (await (await by.Client.PostAsJsonAsync("/api/v1/groups", new { name = name ?? Name(), description = "About it", kind })).JsonAsync(HttpStatusCode.Created)).Str("id");

    static Task<HttpResponseMessage> AddAsync(TestUser by, string gid, string? role, params TestUser[] people) =>
        by.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = people.Select(p => p.Handle).ToArray(), role });

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Creating_a_group_validates_its_fields_and_makes_the_creator_owner(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var guest = await server.CreateUserAsync(role: "guest");
        var name = Name("Design");

        var created = await (await ada.Client.PostAsJsonAsync("/api/v1/groups", new { name, description = "Pixels", kind = "private" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("private", created.Str("kind"));
        Assert.Equal("owner", created.Str("myRole"));
        Assert.Equal(1, created.GetProperty("memberCount").GetInt32());
        Assert.True(created.GetProperty("canManage").GetBoolean());

        await (await ada.Client.PostAsJsonAsync("/api/v1/groups", new { name = name.ToUpperInvariant(), kind = "public" })).ProblemAsync(HttpStatusCode.Conflict, "name-taken");
        await (await ada.Client.PostAsJsonAsync("/api/v1/groups", new { name = "", kind = "public" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.Client.PostAsJsonAsync("/api/v1/groups", new { name = new string('x', 81) })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.Client.PostAsJsonAsync("/api/v1/groups", new { name = Name(), kind = "company" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.Client.PostAsJsonAsync("/api/v1/groups", new { name = Name(), description = new string('d', 2001) })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await guest.Client.PostAsJsonAsync("/api/v1/groups", new { name = Name() })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await ada.Client.GetAsync("/api/v1/groups/nope")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await ada.Client.GetAsync("/api/v1/groups?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_secret_group_does_not_exist_for_people_outside_it(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var stranger = await server.CreateUserAsync();
        var name = Name("Falcon");
        var gid = await CreateAsync(owner, "secret", name);

        foreach (var url in new[] { $"/api/v1/groups/{gid}", $"/api/v1/groups/{gid}/feed", $"/api/v1/groups/{gid}/members" })
            await (await stranger.Client.GetAsync(url)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await stranger.Client.PostAsync($"/api/v1/groups/{gid}/join", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await stranger.Client.PostAsJsonAsync("/api/v1/posts", new { text = "hi", groupId = gid })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        // Exactly what an id that was never a group gets.
        await (await stranger.Client.PostAsJsonAsync("/api/v1/posts", new { text = "hi", groupId = "123456789" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var list = await (await stranger.Client.GetAsync($"/api/v1/groups?q={Uri.EscapeDataString(name)}")).JsonAsync();
        Assert.Empty(list.GetProperty("items").EnumerateArray());
        using (var stream = await stranger.Client.GetAsync($"/api/v1/streaming?stream=group:{gid}", HttpCompletionOption.ResponseHeadersRead))
            await stream.ProblemAsync(HttpStatusCode.NotFound, "not-found");

        (await AddAsync(owner, gid, null, stranger)).EnsureSuccessStatusCode();
        var seen = await (await stranger.Client.GetAsync($"/api/v1/groups?q={Uri.EscapeDataString(name)}")).JsonAsync();
        Assert.Equal(gid, seen.GetProperty("items")[0].Str("id"));
        // A member who is not an admin cannot bring others into a secret group.
        var third = await server.CreateUserAsync();
        await (await AddAsync(stranger, gid, null, third)).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_private_group_takes_requests_that_only_admins_approve(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var asker = await server.CreateUserAsync();
        var other = await server.CreateUserAsync();
        var gid = await CreateAsync(owner, "private");
        var secretPost = await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "members only", groupId = gid })).JsonAsync(HttpStatusCode.Created);

        await (await asker.Client.GetAsync($"/api/v1/groups/{gid}/feed")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("requested", (await (await asker.Client.PostAsync($"/api/v1/groups/{gid}/join", null)).JsonAsync()).Str("myState"));
        Assert.Equal("requested", (await (await asker.Client.PostAsync($"/api/v1/groups/{gid}/join", null)).JsonAsync()).Str("myState"));
        await (await asker.Client.GetAsync($"/api/v1/posts/{secretPost.Str("id")}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        await (await other.Client.GetAsync($"/api/v1/groups/{gid}/requests")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await other.Client.PostAsync($"/api/v1/groups/{gid}/requests/{asker.Handle}/approve", null)).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var requests = await (await owner.Client.GetAsync($"/api/v1/groups/{gid}/requests")).JsonAsync();
        Assert.Equal(asker.Handle, requests.GetProperty("items")[0].GetProperty("person").Str("handle"));
        await (await owner.Client.PostAsync($"/api/v1/groups/{gid}/requests/{other.Handle}/approve", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        var approved = await (await owner.Client.PostAsync($"/api/v1/groups/{gid}/requests/{asker.Handle}/approve", null)).JsonAsync();
        Assert.Equal("member", approved.Str("state"));
        await (await asker.Client.GetAsync($"/api/v1/posts/{secretPost.Str("id")}")).JsonAsync();

        Assert.Equal("requested", (await (await other.Client.PostAsync($"/api/v1/groups/{gid}/join", null)).JsonAsync()).Str("myState"));
        (await owner.Client.PostAsync($"/api/v1/groups/{gid}/requests/{other.Handle}/decline", null)).EnsureSuccessStatusCode();
        Assert.Null((await (await other.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).GetProperty("myState").GetString());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Roles_change_only_by_admins_and_the_last_owner_stays(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var next = await server.CreateUserAsync();
        var gid = await CreateAsync(owner, "public");
        (await AddAsync(owner, gid, null, member, next)).EnsureSuccessStatusCode();

        await (await member.Client.PatchJsonAsync($"/api/v1/groups/{gid}/members/{next.Handle}", new { role = "admin" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await member.Client.DeleteAsync($"/api/v1/groups/{gid}/members/{next.Handle}")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await member.Client.PatchJsonAsync($"/api/v1/groups/{gid}", new { name = "Mine now" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await owner.Client.PatchJsonAsync($"/api/v1/groups/{gid}/members/{next.Handle}", new { role = "boss" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");

        await (await owner.Client.PostAsync($"/api/v1/groups/{gid}/leave", null)).ProblemAsync(HttpStatusCode.Conflict, "last-owner");
        await (await owner.Client.PatchJsonAsync($"/api/v1/groups/{gid}/members/{owner.Handle}", new { role = "member" })).ProblemAsync(HttpStatusCode.Conflict, "last-owner");
        await (await owner.Client.DeleteAsync($"/api/v1/groups/{gid}/members/{owner.Handle}")).ProblemAsync(HttpStatusCode.Conflict, "last-owner");

        var admin = await (await owner.Client.PatchJsonAsync($"/api/v1/groups/{gid}/members/{member.Handle}", new { role = "admin" })).JsonAsync();
        Assert.Equal("admin", admin.Str("role"));
        // An admin manages members but does not make owners.
        await (await member.Client.PatchJsonAsync($"/api/v1/groups/{gid}/members/{next.Handle}", new { role = "owner" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        (await member.Client.PatchJsonAsync($"/api/v1/groups/{gid}", new { description = "Edited by an admin" })).EnsureSuccessStatusCode();

        (await owner.Client.PatchJsonAsync($"/api/v1/groups/{gid}/members/{next.Handle}", new { role = "owner" })).EnsureSuccessStatusCode();
        Assert.Null((await (await owner.Client.PostAsync($"/api/v1/groups/{gid}/leave", null)).JsonAsync()).GetProperty("myState").GetString());
        await (await next.Client.DeleteAsync($"/api/v1/groups/{gid}/members/{next.Handle}")).ProblemAsync(HttpStatusCode.Conflict, "last-owner");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Posting_in_a_group_needs_membership_and_a_real_group(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var guest = await server.CreateUserAsync(role: "guest");
        var gid = await CreateAsync(owner, "public");

        await (await outsider.Client.PostAsJsonAsync("/api/v1/posts", new { text = "hi", groupId = gid })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await outsider.Client.PostAsJsonAsync("/api/v1/posts", new { text = "hi", groupId = "x1" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await outsider.Client.PostAsJsonAsync("/api/v1/posts", new { text = "hi", groupId = "999" })).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await guest.Client.PostAsJsonAsync("/api/v1/posts", new { text = "hi" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await guest.Client.GetAsync("/api/v1/timelines/company")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await guest.Client.GetAsync("/api/v1/people")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await guest.Client.GetAsync($"/api/v1/people/{outsider.Handle}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        // Replies go where their thread is, whatever groupId says; anyone who can read a public group may reply.
        var root = await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "in the group", groupId = gid })).JsonAsync(HttpStatusCode.Created);
        var reply = await (await outsider.Client.PostAsJsonAsync("/api/v1/posts", new { text = "reply", replyTo = root.Str("id"), groupId = "1" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(gid, reply.GetProperty("group").Str("id"));
        // The all-company group's id means the company stream.
        var company = await (await outsider.Client.PostAsJsonAsync("/api/v1/posts", new { text = "to everyone", groupId = "1" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, company.GetProperty("group").ValueKind);

        (await AddAsync(owner, gid, null, guest)).EnsureSuccessStatusCode();
        await (await guest.Client.PostAsJsonAsync("/api/v1/posts", new { text = "hello from a partner", groupId = gid })).JsonAsync(HttpStatusCode.Created);
        var profile = await (await guest.Client.GetAsync($"/api/v1/people/{owner.Handle}")).JsonAsync();
        Assert.Equal(owner.Handle, profile.GetProperty("person").Str("handle"));
        Assert.Empty(profile.GetProperty("managerChain").EnumerateArray());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task The_all_company_group_is_everyones_and_cannot_be_left_or_deleted(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var guest = await server.CreateUserAsync(role: "guest");
        var company = await (await ada.Client.GetAsync("/api/v1/groups/1")).JsonAsync();
        Assert.Equal("company", company.Str("kind"));
        Assert.Equal("member", company.Str("myState"));
        await (await ada.Client.PostAsync("/api/v1/groups/1/join", null)).ProblemAsync(HttpStatusCode.Conflict, "already-member");
        await (await ada.Client.PostAsync("/api/v1/groups/1/leave", null)).ProblemAsync(HttpStatusCode.Conflict, "company-group");
        await (await ada.Client.DeleteAsync("/api/v1/groups/1")).ProblemAsync(HttpStatusCode.Conflict, "company-group");
        await (await ada.Client.PatchJsonAsync("/api/v1/groups/1", new { name = "Mine" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await guest.Client.GetAsync("/api/v1/groups/1")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var mine = await (await guest.Client.GetAsync("/api/v1/groups")).JsonAsync();
        Assert.Empty(mine.GetProperty("items").EnumerateArray());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Changing_a_groups_kind_changes_who_reads_its_existing_posts(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var gid = await CreateAsync(owner, "public");
        var post = (await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "before", groupId = gid })).JsonAsync(HttpStatusCode.Created)).Str("id");
        await (await outsider.Client.GetAsync($"/api/v1/posts/{post}")).JsonAsync();

        Assert.Equal("private", (await (await owner.Client.PatchJsonAsync($"/api/v1/groups/{gid}", new { kind = "private" })).JsonAsync()).Str("kind"));
        await (await outsider.Client.GetAsync($"/api/v1/posts/{post}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await owner.Client.PatchJsonAsync($"/api/v1/groups/{gid}", new { kind = "company" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");

        (await owner.Client.PatchJsonAsync($"/api/v1/groups/{gid}", new { kind = "public" })).EnsureSuccessStatusCode();
        await (await outsider.Client.GetAsync($"/api/v1/posts/{post}")).JsonAsync();

        await (await outsider.Client.DeleteAsync($"/api/v1/groups/{gid}")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/groups/{gid}")).StatusCode);
        await (await owner.Client.GetAsync($"/api/v1/posts/{post}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await owner.Client.GetAsync($"/api/v1/groups/{gid}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        // The name is free again once the group is gone.
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Each_member_chooses_whether_a_group_shows_in_their_home_feed(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var gid = await CreateAsync(owner, "private");
        (await AddAsync(owner, gid, null, member)).EnsureSuccessStatusCode();
        var post = (await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "weekly notes", groupId = gid })).JsonAsync(HttpStatusCode.Created)).Str("id");

        async Task<bool> InHome() => (await (await member.Client.GetAsync("/api/v1/timelines/home")).JsonAsync()).GetProperty("items").EnumerateArray().Any(p => p.Str("id") == post);
        Assert.True(await InHome());
        await (await owner.Client.PatchJsonAsync($"/api/v1/groups/{gid}/members/{member.Handle}", new { showInHome = false })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        (await member.Client.PatchJsonAsync($"/api/v1/groups/{gid}/members/{member.Handle}", new { showInHome = false })).EnsureSuccessStatusCode();
        Assert.False((await (await member.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).GetProperty("showInHome").GetBoolean());
        Assert.False(await InHome());
        var feed = await (await member.Client.GetAsync($"/api/v1/groups/{gid}/feed")).JsonAsync();
        Assert.Equal(post, feed.GetProperty("items")[0].Str("id"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_removed_member_stops_receiving_the_group_on_streams_already_open(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var marker = await server.CreateUserAsync();
        var gid = await CreateAsync(owner, "private");
        (await AddAsync(owner, gid, null, member)).EnsureSuccessStatusCode();

        await using var sse = await SseClient.ConnectAsync(member.Client, $"user,group:{gid}");
        var first = (await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "first", groupId = gid })).JsonAsync(HttpStatusCode.Created)).Str("id");
        Assert.Contains(first, (await sse.WaitForAsync(e => e.Event == "post.created")).Data, StringComparison.Ordinal);

        (await owner.Client.DeleteAsync($"/api/v1/groups/{gid}/members/{member.Handle}")).EnsureSuccessStatusCode();
        var removed = await sse.WaitForAsync(e => e.Event == "group.membership");
        Assert.Equal("none", removed.Json.Str("state"));
        var second = (await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "after removal", groupId = gid })).JsonAsync(HttpStatusCode.Created)).Str("id");
        (await marker.Client.PostAsync($"/api/v1/people/{member.Handle}/follow", null)).EnsureSuccessStatusCode();
        var seen = new List<SseEvent>();
        await sse.WaitForAsync(e => { seen.Add(e); return e.Event == "notification"; });
        Assert.DoesNotContain(seen, e => e.Data.Contains(second, StringComparison.Ordinal));
        await (await member.Client.GetAsync($"/api/v1/posts/{second}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task An_invitation_into_a_secret_group_is_accepted_by_joining_or_declined_by_leaving(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var accepts = await server.CreateUserAsync();
        var declines = await server.CreateUserAsync();
        var gid = await CreateAsync(owner, "secret");
        var post = (await (await owner.Client.PostAsJsonAsync("/api/v1/posts", new { text = "inside", groupId = gid })).JsonAsync(HttpStatusCode.Created)).Str("id");

        var invited = await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { accepts.Handle, declines.Handle }, invite = true })).JsonAsync();
        Assert.All(invited.GetProperty("members").EnumerateArray(), m => Assert.Equal("invited", m.Str("state")));
        foreach (var person in new[] { accepts, declines })
        {
            // Invited: the group shows itself (to decide on), its content does not.
            Assert.Equal("invited", (await (await person.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).Str("myState"));
            await (await person.Client.GetAsync($"/api/v1/posts/{post}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
            Assert.NotEqual(HttpStatusCode.OK, (await person.Client.GetAsync($"/api/v1/groups/{gid}/feed")).StatusCode);
        }

        Assert.Equal("member", (await (await accepts.Client.PostAsync($"/api/v1/groups/{gid}/join", null)).JsonAsync()).Str("myState"));
        await (await accepts.Client.GetAsync($"/api/v1/posts/{post}")).JsonAsync();
        Assert.Equal(post, (await (await accepts.Client.GetAsync($"/api/v1/groups/{gid}/feed")).JsonAsync()).GetProperty("items")[0].Str("id"));

        // Declined: the group is secret to them again, so the answer is what a stranger gets.
        await (await declines.Client.PostAsync($"/api/v1/groups/{gid}/leave", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await declines.Client.GetAsync($"/api/v1/groups/{gid}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await declines.Client.PostAsync($"/api/v1/groups/{gid}/join", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Members_list_pages_and_hides_invitations_from_non_admins(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var people = new List<TestUser>();
        for (var i = 0; i < 5; i++) people.Add(await server.CreateUserAsync());
        var gid = await CreateAsync(owner, "public");
        var added = await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = people.Select(p => p.Handle).Append("nobody-here").ToArray() })).JsonAsync();
        Assert.Equal(["nobody-here"], added.GetProperty("notFound").EnumerateArray().Select(e => e.GetString()));

        var handles = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await people[0].Client.GetAsync($"/api/v1/groups/{gid}/members?limit=2" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
            handles.AddRange(page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("person").Str("handle")));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        Assert.Equal(6, handles.Distinct().Count());

        await (await people[0].Client.GetAsync($"/api/v1/groups/{gid}/members?state=invited")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await owner.Client.GetAsync($"/api/v1/groups/{gid}/members?state=maybe")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = Array.Empty<string>() })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = Enumerable.Range(0, 51).Select(i => "p" + i).ToArray() })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }
}
