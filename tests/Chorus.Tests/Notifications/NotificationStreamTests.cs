using System.Net;
using System.Net.Http.Json;
using Chorus.Tests.Realtime;

namespace Chorus.Tests.Notifications;

public sealed class NotificationStreamTests(Servers servers)
{
    static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_notification_arrives_on_the_recipients_user_stream_only_as_the_rest_item(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var cat = await server.CreateUserAsync();
        await using var adaStream = await SseClient.ConnectAsync(ada.Client, "user");
        await using var catStream = await SseClient.ConnectAsync(cat.Client, "user,company");

        var post = await ben.NewPostAsync($"live for @{ada.Handle}");
        var e = await adaStream.WaitForAsync(x => x.Event == "notification");
        Assert.Equal("mention", e.Json.Str("kind"));
        Assert.Equal(post, e.Json.PostId());
        var rest = (await ada.ItemsAsync()).Single();
        Assert.Equal(rest.GetRawText(), e.Data);

        Assert.DoesNotContain(await catStream.DrainAsync(Quiet), x => x.Event == "notification");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Switched_off_kinds_and_own_actions_stream_nothing_and_marking_read_streams_notification_read(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        await (await ada.Client.PutAsJsonAsync("/api/v1/notifications/preferences", new { reaction = false })).JsonAsync();
        var post = await ada.NewPostAsync("mine");
        await using var sse = await SseClient.ConnectAsync(ada.Client, "user");

        await ben.Client.PostAsync($"/api/v1/posts/{post}/reactions/like", null);
        await ada.Client.PostAsync($"/api/v1/posts/{post}/reactions/love", null);
        await ben.Client.PostAsync($"/api/v1/people/{ada.Handle}/follow", null);
        var follow = await sse.WaitForAsync(x => x.Event == "notification");
        Assert.Equal("follow", follow.Json.Str("kind"));
        var id = follow.Json.Ids().Single();

        await (await ada.MarkReadAsync(new { ids = new[] { id } })).JsonAsync();
        var read = await sse.WaitForAsync(x => x.Event == "notification.read");
        Assert.Equal([id], read.Json.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(0, read.Json.GetProperty("unreadCount").GetInt32());

        await ben.NewPostAsync($"@{ada.Handle} again");
        await sse.WaitForAsync(x => x.Event == "notification");
        await (await ada.MarkReadAsync(new { all = true })).JsonAsync();
        var all = await sse.WaitForAsync(x => x.Event == "notification.read");
        Assert.True(all.Json.GetProperty("all").GetBoolean());
        Assert.Equal(0, all.Json.GetProperty("unreadCount").GetInt32());
        Assert.DoesNotContain(await sse.DrainAsync(Quiet), x => x.Event.StartsWith("notification", StringComparison.Ordinal));
    }
}
