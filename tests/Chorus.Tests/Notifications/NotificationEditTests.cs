using System.Net;

namespace Chorus.Tests.Notifications;

public sealed class NotificationEditTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task An_edit_notifies_only_people_it_newly_mentions(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var cat = await server.CreateUserAsync();
        var post = await ada.NewPostAsync($"hello @{ben.Handle}");
        await (await ada.Client.PatchJsonAsync($"/api/v1/posts/{post}", new { text = $"hello @{ben.Handle} and @{cat.Handle}" })).JsonAsync();
        await (await ada.Client.PatchJsonAsync($"/api/v1/posts/{post}", new { text = $"hi @{ben.Handle} and @{cat.Handle}" })).JsonAsync();

        Assert.Equal([post], (await ben.ItemsAsync()).Select(i => i.PostId()));
        Assert.Equal([post], (await cat.ItemsAsync()).Select(i => i.PostId()));
        Assert.Equal("mention", (await cat.ItemsAsync()).Single().Str("kind"));
        Assert.Empty(await ada.ItemsAsync());
        Assert.Equal(HttpStatusCode.OK, (await ada.Client.GetAsync("/api/v1/notifications")).StatusCode);
    }
}
