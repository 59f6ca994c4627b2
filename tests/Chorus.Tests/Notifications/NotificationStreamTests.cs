using System.Net;
using System.Net.Http.Json;
using Chorus.Tests.Realtime;
using Microsoft.Extensions.DependencyInjection;

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

        // About this post: other tests running at once may make company-wide announcements, which do reach cat.
        Assert.DoesNotContain(await catStream.DrainAsync(Quiet), x => x.Event == "notification" && x.Json.PostId() == post);
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
        // Company-wide announcements made by other tests running at once do reach ada: not what this test is about.
        Assert.DoesNotContain(await sse.DrainAsync(Quiet), x => x.Event.StartsWith("notification", StringComparison.Ordinal)
            && !(x.Event == "notification" && x.Json.Str("kind") == "announcement"));
    }
}

/// <summary>
/// The dispatcher renders a notification only for people with a stream open on the node: an announcement to the
/// whole company must not make every stream wait while thousands of unread notifications are rendered for nobody.
/// </summary>
public sealed class NotificationBuildTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Notifications_are_built_only_for_the_recipients_asked_for(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var cat = await server.CreateUserAsync();
        foreach (var person in new[] { ben, cat })
            (await ada.Client.PostAsync($"/api/v1/people/{person.Handle}/follow", null)).EnsureSuccessStatusCode();
        await PostTypes.PostTypeHelpers.EventuallyAsync(() => server.InDbAsync(d => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AllAsync(
            d.Events.Where(e => e.Kind == "notification" && (e.PersonId == ben.Id || e.PersonId == cat.Id)), e => e.Seq != null)));

        var built = await server.WithScopeAsync(async sp =>
        {
            var events = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(sp.GetRequiredService<Chorus.Server.Data.ChorusDb>().Events
                .Where(e => e.Kind == "notification" && (e.PersonId == ben.Id || e.PersonId == cat.Id)));
            Assert.Equal(2, events.Count);
            var builder = sp.GetRequiredService<Chorus.Server.Features.Realtime.StreamEventBuilder>();
            return (all: await builder.BuildAsync(events, default), benOnly: await builder.BuildAsync(events, default, id => id == ben.Id));
        });
        Assert.Equal(2, built.all.Count(e => e.Kind == "notification"));
        var only = Assert.Single(built.benOnly, e => e.Kind == "notification");
        Assert.Equal(ben.Id, only.OnlyPersonId);
        Assert.Contains(ada.Handle, only.Data, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_posts_author_copy_is_built_only_when_the_author_is_among_the_recipients(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var id = long.Parse(await ada.NewPostAsync("mine to edit"));
        await PostTypes.PostTypeHelpers.EventuallyAsync(() => server.InDbAsync(d => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AllAsync(
            d.Events.Where(e => e.PostId == id), e => e.Seq != null)));

        var built = await server.WithScopeAsync(async sp =>
        {
            var events = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(sp.GetRequiredService<Chorus.Server.Data.ChorusDb>().Events
                .Where(e => e.PostId == id && e.Kind == "post.created"));
            var builder = sp.GetRequiredService<Chorus.Server.Features.Realtime.StreamEventBuilder>();
            return (all: await builder.BuildAsync(events, default), nobody: await builder.BuildAsync(events, default, _ => false),
                author: await builder.BuildAsync(events, default, p => p == ada.Id));
        });
        Assert.Contains("\"canEdit\":true", Assert.Single(built.all).AuthorData!, StringComparison.Ordinal);
        Assert.Contains("\"canEdit\":true", Assert.Single(built.author).AuthorData!, StringComparison.Ordinal);
        var readers = Assert.Single(built.nobody);
        Assert.Null(readers.AuthorData);
        Assert.Contains("\"canEdit\":false", readers.Data, StringComparison.Ordinal);
    }
}
