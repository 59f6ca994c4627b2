using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chorus.Tests.Notifications;

/// <summary>Small helpers for reading a test user's notifications through the API.</summary>
static class Notes
{
    public static async Task<JsonElement> PageAsync(this TestUser user, string query = "") =>
        await (await user.Client.GetAsync("/api/v1/notifications" + query)).JsonAsync();

    public static async Task<List<JsonElement>> ItemsAsync(this TestUser user, string query = "") =>
        (await user.PageAsync(query)).GetProperty("items").EnumerateArray().ToList();

    public static async Task<int> UnreadAsync(this TestUser user) =>
        (await (await user.Client.GetAsync("/api/v1/notifications/unread-count")).JsonAsync()).GetProperty("count").GetInt32();

    public static async Task<string> NewPostAsync(this TestUser user, string text, string? replyTo = null) =>
        (await (await user.PostAsync(text, replyTo)).JsonAsync(HttpStatusCode.Created)).Str("id");

    public static Task<HttpResponseMessage> MarkReadAsync(this TestUser user, object body) =>
        user.Client.PostAsJsonAsync("/api/v1/notifications/read", body);

    public static List<string> Ids(this JsonElement item) => item.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList();

    public static string? PostId(this JsonElement item) =>
        item.GetProperty("post").ValueKind == JsonValueKind.Null ? null : item.GetProperty("post").Str("id");

    public static List<string> ActorHandles(this JsonElement item) =>
        item.GetProperty("actors").EnumerateArray().Select(a => a.Str("handle")).ToList();
}
