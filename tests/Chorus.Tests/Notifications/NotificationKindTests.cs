using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Notifications;

public sealed class NotificationKindTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Each_kind_reaches_the_right_person_and_never_the_actor(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var cat = await server.CreateUserAsync();

        var root = await ada.NewPostAsync($"a thread by @{ada.Handle}"); // mentioning yourself notifies nobody
        var benReply = await ben.NewPostAsync($"replying, and @{cat.Handle} should see this", root);
        var catReply = await cat.NewPostAsync("me too", benReply);
        await ada.Client.PostAsync($"/api/v1/posts/{root}/reactions/like", null); // own post: nothing
        await ben.Client.PostAsync($"/api/v1/posts/{root}/reactions/celebrate", null);
        await cat.Client.PostAsync($"/api/v1/posts/{root}/shares", null);
        await ben.Client.PostAsync($"/api/v1/people/{ada.Handle}/follow", null);

        var forAda = await ada.ItemsAsync();
        Assert.Equal(["follow", "share", "reaction", "reply", "reply"], forAda.Select(i => i.Str("kind")));
        Assert.Equal([ben.Handle], forAda[0].ActorHandles());
        Assert.Null(forAda[0].PostId());
        Assert.Equal([cat.Handle], forAda[1].ActorHandles());
        Assert.Equal(root, forAda[1].PostId());
        Assert.Equal(root, forAda[2].PostId());
        // Cat answered Ben, in Ada's thread; Ben answered Ada herself.
        Assert.Equal((catReply, "replied in a thread you took part in"), (forAda[3].PostId(), forAda[3].Str("text")[^36..]));
        Assert.Equal((benReply, "replied to your post"), (forAda[4].PostId(), forAda[4].Str("text")[^20..]));

        // Mentioned and in the thread: one notification, the mention.
        var forCat = await cat.ItemsAsync();
        Assert.Equal(["mention"], forCat.Select(i => i.Str("kind")));
        Assert.Equal(benReply, forCat[0].PostId());

        var forBen = await ben.ItemsAsync();
        Assert.Equal(["reply"], forBen.Select(i => i.Str("kind")));
        Assert.Equal(catReply, forBen[0].PostId());
        Assert.Equal($"Test {cat.Handle} replied to your post", forBen[0].Str("text"));
        Assert.Equal(5, await ada.UnreadAsync());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Reactions_on_one_post_are_grouped_with_and_n_others(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var post = await ada.NewPostAsync("react to me");
        var other = await ada.NewPostAsync("and to me");
        var fans = new List<TestUser>();
        for (var i = 0; i < 5; i++) fans.Add(await server.CreateUserAsync());
        foreach (var fan in fans) await fan.Client.PostAsync($"/api/v1/posts/{post}/reactions/love", null);
        await fans[0].Client.PostAsync($"/api/v1/posts/{post}/reactions/like", null); // a second reaction, same person
        await fans[1].Client.PostAsync($"/api/v1/posts/{other}/reactions/like", null);
        await fans[2].Client.PostAsync($"/api/v1/posts/{other}/reactions/like", null);

        var items = await ada.ItemsAsync();
        Assert.Equal(2, items.Count);
        Assert.Equal(other, items[0].PostId());
        Assert.Equal(2, items[0].GetProperty("actorCount").GetInt32());
        Assert.Equal($"Test {fans[2].Handle} and Test {fans[1].Handle} reacted to your post", items[0].Str("text"));
        Assert.Equal(post, items[1].PostId());
        Assert.Equal(6, items[1].Ids().Count);
        Assert.Equal(5, items[1].GetProperty("actorCount").GetInt32());
        Assert.Equal([fans[0].Handle, fans[4].Handle, fans[3].Handle], items[1].ActorHandles());
        Assert.Equal($"Test {fans[0].Handle} and 4 others reacted to your post", items[1].Str("text"));
        Assert.False(items[1].GetProperty("read").GetBoolean());
        Assert.Equal(8, await ada.UnreadAsync());

        // Read and unread ones are separate items.
        await (await ada.MarkReadAsync(new { ids = items[1].Ids() })).JsonAsync();
        await fans[3].Client.PostAsync($"/api/v1/posts/{post}/reactions/celebrate", null);
        var after = await ada.ItemsAsync($"?kind=reaction");
        Assert.Equal([false, false, true], after.Select(i => i.GetProperty("read").GetBoolean()));
        Assert.Equal([post, other, post], after.Select(i => i.PostId()));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Lists_filter_by_kind_and_unread_and_page_with_a_cursor(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var mentions = new List<string>();
        for (var i = 0; i < 3; i++) mentions.Add(await ben.NewPostAsync($"hello @{ada.Handle} number {i}"));
        await ben.Client.PostAsync($"/api/v1/people/{ada.Handle}/follow", null);

        var first = await ada.PageAsync("?kind=mention&limit=2");
        var items = first.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([mentions[2], mentions[1]], items.Select(i => i.PostId()));
        var cursor = first.Str("nextCursor");
        var second = await ada.PageAsync($"?kind=mention&limit=2&cursor={cursor}");
        Assert.Equal([mentions[0]], second.GetProperty("items").EnumerateArray().Select(i => i.PostId()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);

        Assert.Equal(["follow"], (await ada.ItemsAsync("?kind=follow")).Select(i => i.Str("kind")));

        var read = await (await ada.MarkReadAsync(new { ids = items[0].Ids() })).JsonAsync();
        Assert.Equal(3, read.GetProperty("unreadCount").GetInt32());
        var unread = await ada.ItemsAsync("?unread=true");
        Assert.Equal(3, unread.Count);
        Assert.DoesNotContain(unread, i => i.PostId() == mentions[2]);
        Assert.True((await ada.ItemsAsync()).Single(i => i.PostId() == mentions[2]).GetProperty("read").GetBoolean());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Marking_read_by_ids_touches_only_your_own_and_all_marks_everything(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        await ben.NewPostAsync($"@{ada.Handle} one");
        var two = await ada.NewPostAsync($"@{ben.Handle} two");
        await ben.NewPostAsync($"@{ada.Handle} three");
        var benIds = (await ben.ItemsAsync()).SelectMany(i => i.Ids()).ToList();
        Assert.Equal(2, await ada.UnreadAsync());

        // Ada names Ben's notification: nothing of Ben's changes.
        var result = await (await ada.MarkReadAsync(new { ids = benIds })).JsonAsync();
        Assert.Equal(2, result.GetProperty("unreadCount").GetInt32());
        Assert.Equal(1, await ben.UnreadAsync());
        Assert.Equal(two, (await ben.ItemsAsync()).Single().PostId());

        result = await (await ada.MarkReadAsync(new { all = true })).JsonAsync();
        Assert.Equal(0, result.GetProperty("unreadCount").GetInt32());
        Assert.Equal(0, await ada.UnreadAsync());
        Assert.All(await ada.ItemsAsync(), i => Assert.True(i.GetProperty("read").GetBoolean()));
        Assert.Empty(await ada.ItemsAsync("?unread=true"));
        Assert.Equal(1, await ben.UnreadAsync());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_kind_switched_off_is_not_created(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var prefs = await (await ada.Client.PutAsJsonAsync("/api/v1/notifications/preferences", new { reaction = false, follow = false })).JsonAsync();
        Assert.False(prefs.GetProperty("reaction").GetBoolean());
        Assert.True(prefs.GetProperty("mention").GetBoolean());
        Assert.False((await (await ada.Client.GetAsync("/api/v1/notifications/preferences")).JsonAsync()).GetProperty("follow").GetBoolean());

        var post = await ada.NewPostAsync("no reactions please");
        await ben.Client.PostAsync($"/api/v1/posts/{post}/reactions/like", null);
        await ben.Client.PostAsync($"/api/v1/people/{ada.Handle}/follow", null);
        await ben.NewPostAsync($"but mentions are fine @{ada.Handle}");
        Assert.Equal(["mention"], (await ada.ItemsAsync()).Select(i => i.Str("kind")));
        Assert.Equal(0, await server.InDbAsync(d => d.Notifications.CountAsync(n => n.RecipientId == ada.Id && n.Kind != "mention")));

        await ada.Client.PutAsJsonAsync("/api/v1/notifications/preferences", new { reaction = true });
        await ben.Client.PostAsync($"/api/v1/posts/{post}/reactions/love", null);
        Assert.Equal(["reaction", "mention"], (await ada.ItemsAsync()).Select(i => i.Str("kind")));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_muted_thread_brings_no_replies_until_unmuted(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var root = await ada.NewPostAsync("a noisy thread");
        var first = await ben.NewPostAsync("first reply", root);
        var muted = await (await ada.Client.PostAsync($"/api/v1/posts/{first}/mute", null)).JsonAsync();
        Assert.Equal(root, muted.Str("rootId"));
        Assert.True(muted.GetProperty("muted").GetBoolean());

        await ben.NewPostAsync("second reply", root);
        await ben.NewPostAsync("third reply", first);
        Assert.Equal([first], (await ada.ItemsAsync()).Select(i => i.PostId()));

        await (await ada.Client.DeleteAsync($"/api/v1/posts/{root}/mute")).JsonAsync();
        var fourth = await ben.NewPostAsync("fourth reply", root);
        Assert.Equal([fourth, first], (await ada.ItemsAsync()).Select(i => i.PostId()));
        await (await ada.Client.PostAsync("/api/v1/posts/12345/mute", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Deactivated_people_get_nothing_and_deleted_posts_drop_out(string db)
    {
        var server = servers[db];
        var admin = await server.CreateUserAsync(admin: true);
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var root = await ada.NewPostAsync("before I leave");
        var mention = await ben.NewPostAsync($"bye @{ada.Handle}");
        await (await admin.Client.PostAsync($"/api/v1/people/{ada.Handle}/deactivate", null)).JsonAsync();
        await ben.NewPostAsync("a reply to someone gone", root);
        await ben.Client.PostAsync($"/api/v1/posts/{root}/reactions/like", null);
        await ben.NewPostAsync($"hello again @{ada.Handle}");
        var kinds = await server.InDbAsync(d => d.Notifications.Where(n => n.RecipientId == ada.Id).Select(n => n.Kind).ToListAsync());
        Assert.Equal(["mention"], kinds);

        // A notification about a post since deleted is not listed: the recipient cannot see the post any more.
        var cat = await server.CreateUserAsync();
        var gone = await ben.NewPostAsync($"@{cat.Handle} soon gone");
        await ben.NewPostAsync($"@{cat.Handle} stays");
        Assert.Equal(2, await cat.UnreadAsync());
        await ben.Client.DeleteAsync($"/api/v1/posts/{gone}");
        Assert.DoesNotContain(await cat.ItemsAsync(), i => i.PostId() == gone);
        Assert.Equal(1, await cat.UnreadAsync());
        Assert.NotEqual(mention, gone);
    }
}
