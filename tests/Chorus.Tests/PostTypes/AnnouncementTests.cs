using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.PostTypes;

public sealed class AnnouncementTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Group_admins_announce_pinned_on_top_and_every_member_is_notified(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var group = await PostTypeHelpers.GroupAsync(owner, "public", ada, ben);

        await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{group}/announcements", new { text = "not mine to say" }))
            .ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var announcement = await owner.CreateAsync(group, "announcements", new { text = "Office closed Friday" });
        var id = announcement.Str("id");
        Assert.Equal("announcement", announcement.Str("kind"));
        Assert.True(announcement.GetProperty("details").GetProperty("pinned").GetBoolean());
        Assert.Equal(1, await server.NotificationsAsync(ada.Id, "announcement", id));
        Assert.Equal(1, await server.NotificationsAsync(ben.Id, "announcement", id));

        // Newer posts come after the pinned announcement on the first page only, and it is not repeated below.
        var newer = await (await ben.Client.PostAsJsonAsync("/api/v1/posts", new { text = "newer", groupId = group })).JsonAsync(HttpStatusCode.Created);
        var feed = await (await ada.Client.GetAsync($"/api/v1/groups/{group}/feed")).JsonAsync();
        Assert.Equal([id, newer.Str("id")], feed.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));

        await (await ada.Client.PostAsync($"/api/v1/posts/{id}/pin", null)).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await ada.Client.DeleteAsync($"/api/v1/posts/{id}/pin")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await owner.Client.DeleteAsync($"/api/v1/posts/{id}/pin")).JsonAsync();
        feed = await (await ada.Client.GetAsync($"/api/v1/groups/{group}/feed")).JsonAsync();
        Assert.Equal([newer.Str("id"), id], feed.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        await (await owner.Client.PostAsync($"/api/v1/posts/{id}/pin", null)).JsonAsync();
        Assert.True((await ada.DetailsAsync(id)).GetProperty("pinned").GetBoolean());
        Assert.False((await ada.DetailsAsync(id)).GetProperty("canPin").GetBoolean());
        Assert.True((await owner.DetailsAsync(id)).GetProperty("canPin").GetBoolean());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Only_network_admins_announce_to_the_whole_company(string db)
    {
        // A server of its own: a company-wide announcement notifies everyone on the server, and on the shared one that
        // includes the people of tests running at once, which count their notifications.
        using var server = new ChorusServer(db);
        var member = await server.CreateUserAsync();
        var admin = await server.CreateUserAsync(admin: true);
        await (await member.Client.PostAsJsonAsync("/api/v1/groups/1/announcements", new { text = "hello all" }))
            .ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var announcement = await admin.CreateAsync("1", "announcements", new { text = "All hands at 3" });
        await PostTypeHelpers.EventuallyAsync(async () => await server.NotificationsAsync(member.Id, "announcement", announcement.Str("id")) == 1);
        var feed = await (await member.Client.GetAsync("/api/v1/timelines/company")).JsonAsync();
        Assert.Equal(announcement.Str("id"), feed.GetProperty("items")[0].Str("id"));
        await (await admin.Client.DeleteAsync($"/api/v1/posts/{announcement.Str("id")}/pin")).JsonAsync();
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Every_member_hears_once_however_many_batches_it_takes(string db)
    {
        // Three per batch: the first three with the announcement, the rest by the background job.
        using var server = new ChorusServer(db, new Dictionary<string, string?> { ["Chorus:Announcements:NotifyBatch"] = "3" });
        var owner = await server.CreateUserAsync();
        var admin = await server.CreateUserAsync(admin: true);
        var members = new List<TestUser>();
        for (var i = 0; i < 8; i++) members.Add(await server.CreateUserAsync());
        var quiet = members[5];
        var gone = members[6];
        var outsider = await server.CreateUserAsync();
        var guest = await server.CreateUserAsync(role: "guest");
        var group = await PostTypeHelpers.GroupAsync(owner, "private", [.. members]);
        (await quiet.Client.PutAsJsonAsync("/api/v1/notifications/preferences", new { announcement = false })).EnsureSuccessStatusCode();
        (await admin.Client.PostAsync($"/api/v1/people/{gone.Handle}/deactivate", null)).EnsureSuccessStatusCode();

        var id = (await owner.CreateAsync(group, "announcements", new { text = "Offsite on Monday" })).Str("id");
        var expected = members.Where(m => m != quiet && m != gone).ToList();
        await PostTypeHelpers.EventuallyAsync(async () => await CountAsync(server, id) == expected.Count);
        await PostTypeHelpers.EventuallyAsync(() => server.InDbAsync(d => d.Set<Chorus.Server.Features.PostTypes.Announcement>()
            .AnyAsync(a => a.PostId == long.Parse(id) && a.NotifyAfter == null)));
        foreach (var m in expected) Assert.Equal(1, await server.NotificationsAsync(m.Id, "announcement", id));
        foreach (var m in new[] { quiet, gone, outsider, owner }) Assert.Equal(0, await server.NotificationsAsync(m.Id, "announcement", id));

        // Company-wide: everyone in the organization but its author, never guests.
        var all = (await admin.CreateAsync("1", "announcements", new { text = "Holiday schedule" })).Str("id");
        var everyone = members.Append(owner).Append(outsider).Where(m => m != quiet && m != gone).ToList();
        await PostTypeHelpers.EventuallyAsync(async () => await CountAsync(server, all) == everyone.Count);
        foreach (var m in everyone) Assert.Equal(1, await server.NotificationsAsync(m.Id, "announcement", all));
        foreach (var m in new[] { guest, admin, quiet, gone }) Assert.Equal(0, await server.NotificationsAsync(m.Id, "announcement", all));
    }

    static Task<int> CountAsync(ChorusServer server, string postId) =>
        server.InDbAsync(d => d.Notifications.CountAsync(n => n.PostId == long.Parse(postId) && n.Kind == "announcement"));

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Seen_by_is_idempotent_and_listed_only_for_the_author_and_admins(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var ada = await server.CreateUserAsync();
        var group = await PostTypeHelpers.GroupAsync(owner, "public", ada);
        var id = (await owner.CreateAsync(group, "announcements", new { text = "Read me" })).Str("id");

        await (await ada.Client.PostAsync($"/api/v1/posts/{id}/seen", null)).JsonAsync();
        var again = await (await ada.Client.PostAsync($"/api/v1/posts/{id}/seen", null)).JsonAsync();
        Assert.Equal(1, again.GetProperty("seenCount").GetInt32());
        var details = await ada.DetailsAsync(id);
        Assert.Equal(1, details.GetProperty("seenCount").GetInt32());
        Assert.True(details.GetProperty("seenByMe").GetBoolean());

        await (await ada.Client.GetAsync($"/api/v1/posts/{id}/seen")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var seen = await (await owner.Client.GetAsync($"/api/v1/posts/{id}/seen")).JsonAsync();
        Assert.Equal(1, seen.GetProperty("count").GetInt32());
        Assert.Equal([ada.Handle], seen.GetProperty("people").EnumerateArray().Select(p => p.Str("handle")));

        // Only announcements have "seen": a plain post is not one.
        var plain = await (await ada.PostAsync("plain")).JsonAsync(HttpStatusCode.Created);
        await (await ada.Client.PostAsync($"/api/v1/posts/{plain.Str("id")}/seen", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
