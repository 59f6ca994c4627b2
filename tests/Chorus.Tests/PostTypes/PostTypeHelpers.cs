using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.PostTypes;

static class PostTypeHelpers
{
    /// <summary>A group owned by <paramref name="owner"/> with the others added as members.</summary>
    public static async Task<string> GroupAsync(TestUser owner, string kind, params TestUser[] members)
    {
        var group = await (await owner.Client.PostAsJsonAsync("/api/v1/groups",
            new { name = "g" + Guid.NewGuid().ToString("N")[..10], description = "d", kind })).JsonAsync(HttpStatusCode.Created);
        var id = group.Str("id");
        if (members.Length > 0)
            await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{id}/members", new { handles = members.Select(m => m.Handle).ToArray() })).JsonAsync();
        return id;
    }

    public static async Task<JsonElement> CreateAsync(this TestUser user, string groupId, string kind, object body) =>
        await (await user.Client.PostAsJsonAsync($"/api/v1/groups/{groupId}/{kind}", body)).JsonAsync(HttpStatusCode.Created);

    public static Task<int> NotificationsAsync(this ChorusServer server, long recipient, string kind, string postId) =>
        server.InDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == recipient && n.Kind == kind && n.PostId == long.Parse(postId)));

    public static async Task<JsonElement> DetailsAsync(this TestUser user, string postId) =>
        (await (await user.Client.GetAsync($"/api/v1/posts/{postId}")).JsonAsync()).GetProperty("details");

    /// <summary>Waits (up to 20 s) until background work makes the condition true; fails the test otherwise.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("The background work did not finish within 20 s.");
            await Task.Delay(100);
        }
    }

    public static Task<HttpResponseMessage> PutJsonAsync<T>(this HttpClient client, string url, T value) => client.PutAsJsonAsync(url, value);
}
