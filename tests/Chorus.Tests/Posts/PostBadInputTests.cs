using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Chorus.Tests.Posts;

public sealed class PostBadInputTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_post_input_is_a_named_4xx_and_writes_nothing(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();

        var empty = await (await ada.PostAsync("   ")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(empty.GetProperty("errors").TryGetProperty("text", out _));
        await (await ada.PostAsync(new string('x', 5001))).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        // 5,000 characters exactly is allowed, counted as characters (emoji are one each), not UTF-16 units.
        await (await ada.PostAsync(string.Concat(Enumerable.Repeat("😀", 5000)))).JsonAsync(HttpStatusCode.Created);
        await (await ada.PostAsync("reply", replyTo: "12345")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.PostAsync("reply", replyTo: "not-a-number")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");

        var malformed = await ada.Client.PostAsync("/api/v1/posts", new StringContent("{\"text\": ", Encoding.UTF8, "application/json"));
        await malformed.ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        var wrongType = await ada.Client.PostAsync("/api/v1/posts", new StringContent("{\"text\": 5}", Encoding.UTF8, "application/json"));
        var problem = await wrongType.ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        Assert.Contains("text", problem.Str("detail"));
        // A lone surrogate is not text: refused (by the JSON reader or by the post rule), never stored as U+FFFD.
        var lone = await ada.Client.PostAsync("/api/v1/posts", new StringContent("{\"text\": \"a\\ud800b\"}", Encoding.UTF8, "application/json"));
        Assert.True(lone.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, lone.StatusCode.ToString());
        Assert.Equal("application/problem+json", lone.Content.Headers.ContentType?.MediaType);
        await (await ada.Client.PostAsync("/api/v1/posts", new StringContent("text=hi", Encoding.UTF8, "application/x-www-form-urlencoded")))
            .ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

        await (await ada.Client.GetAsync("/api/v1/posts/abc")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await ada.Client.GetAsync("/api/v1/posts/999999999999")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await ada.Client.GetAsync("/api/v1/nothing-here")).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        var mine = await (await ada.Client.GetAsync($"/api/v1/people/{ada.Handle}/posts")).JsonAsync();
        Assert.Single(mine.GetProperty("items").EnumerateArray());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Only_the_author_edits_and_only_the_author_or_an_admin_deletes(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var admin = await server.CreateUserAsync(admin: true);
        var id = (await (await ada.PostAsync("mine")).JsonAsync(HttpStatusCode.Created)).Str("id");

        await (await ben.Client.PatchJsonAsync($"/api/v1/posts/{id}", new { text = "hijacked" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await admin.Client.PatchJsonAsync($"/api/v1/posts/{id}", new { text = "hijacked" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await ben.Client.DeleteAsync($"/api/v1/posts/{id}")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var still = await (await ben.Client.GetAsync($"/api/v1/posts/{id}")).JsonAsync();
        Assert.Equal("mine", still.Str("text"));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/v1/posts/{id}")).StatusCode);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Writing_needs_a_token_with_write_scope(string db)
    {
        var server = servers[db];
        var reader = await server.CreateUserAsync(scope: "read");
        await (await reader.PostAsync("nope")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await reader.Client.GetAsync("/api/v1/timelines/home")).JsonAsync();

        var anonymous = server.CreateClient();
        await (await anonymous.PostAsJsonAsync("/api/v1/posts", new { text = "hi" })).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await anonymous.GetAsync("/api/v1/timelines/company")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "chorus_pat_forged");
        await (await anonymous.GetAsync("/api/v1/me")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Posting_is_rate_limited_with_retry_after()
    {
        using var server = new ChorusServer("Sqlite", new Dictionary<string, string?> { ["Chorus:Security:PostsPerMinute"] = "3" });
        var ada = await server.CreateUserAsync();
        for (var i = 0; i < 3; i++) await (await ada.PostAsync($"post {i}")).JsonAsync(HttpStatusCode.Created);
        var limited = await ada.PostAsync("one too many");
        await limited.ProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(limited.Headers.RetryAfter is not null);
    }
}
