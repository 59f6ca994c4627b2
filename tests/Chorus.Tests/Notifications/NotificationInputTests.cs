using System.Net;
using System.Net.Http.Json;

namespace Chorus.Tests.Notifications;

public sealed class NotificationInputTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_input_gets_a_problem_naming_the_field(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        await (await ada.Client.GetAsync("/api/v1/notifications?kind=poke")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.Client.GetAsync("/api/v1/notifications?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await ada.Client.GetAsync("/api/v1/notifications?limit=101")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await ada.Client.GetAsync("/api/v1/notifications?cursor=abc")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        var problem = await (await ada.MarkReadAsync(new { ids = new[] { "12", "nope" } })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("ids", out _));
        await (await ada.MarkReadAsync(new { })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.MarkReadAsync(new { ids = Array.Empty<string>() })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.MarkReadAsync(new { ids = Enumerable.Range(1, 501).Select(i => i.ToString()) })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        problem = await (await ada.Client.PutAsJsonAsync("/api/v1/notifications/preferences", new { mention = true, poke = false }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("poke", out _));
        Assert.True((await (await ada.Client.GetAsync("/api/v1/notifications/preferences")).JsonAsync()).GetProperty("mention").GetBoolean());
        await (await ada.Client.PostAsync("/api/v1/posts/not-a-post/mute", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Anonymous_callers_get_401_and_read_only_tokens_cannot_write(string db)
    {
        var server = servers[db];
        var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/notifications/unread-count")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/notifications/read", new { all = true })).StatusCode);

        var reader = await server.CreateUserAsync(scope: "read");
        var post = await (await server.CreateUserAsync()).NewPostAsync("a post");
        (await reader.Client.GetAsync("/api/v1/notifications")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.MarkReadAsync(new { all = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.Client.PutAsJsonAsync("/api/v1/notifications/preferences", new { mention = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.Client.PostAsync($"/api/v1/posts/{post}/mute", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.Client.DeleteAsync($"/api/v1/posts/{post}/mute")).StatusCode);
    }
}
