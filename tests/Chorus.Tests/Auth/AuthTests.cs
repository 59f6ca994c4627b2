using System.Net;
using System.Net.Http.Json;

namespace Chorus.Tests.Auth;

public sealed class AuthTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Tokens_from_a_password_are_shown_once_stored_hashed_scoped_and_revocable(string db)
    {
        var server = servers[db];
        var user = await server.CreateUserAsync();
        var anon = server.CreateClient();
        var created = await (await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = user.Handle, password = ChorusServer.Password, name = "script", scope = "read" }))
            .JsonAsync(HttpStatusCode.Created);
        var token = created.Str("token");
        Assert.StartsWith("chorus_pat_", token);

        var stored = await server.InDbAsync(db => Task.FromResult(db.Credentials.Single(c => c.Id == long.Parse(created.Str("id")))));
        Assert.NotEqual(token, stored.SecretHash);
        Assert.DoesNotContain(token, stored.SecretHash);

        var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var me = await (await client.GetAsync("/api/v1/me")).JsonAsync();
        Assert.Equal(user.Handle, me.GetProperty("person").Str("handle"));
        await (await client.PostAsJsonAsync("/api/v1/posts", new { text = "read-only" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var list = await (await user.Client.GetAsync("/api/v1/me/tokens")).JsonAsync();
        Assert.Contains(list.EnumerateArray(), t => t.Str("id") == created.Str("id"));
        Assert.DoesNotContain(token, list.ToString());

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/me/tokens/{created.Str("id")}")).StatusCode);
        await (await client.GetAsync("/api/v1/me")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await user.Client.DeleteAsync($"/api/v1/me/tokens/{created.Str("id")}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Someone_elses_token_cannot_be_revoked(string db)
    {
        var server = servers[db];
        var a = await server.CreateUserAsync();
        var b = await server.CreateUserAsync();
        var bTokens = await (await b.Client.GetAsync("/api/v1/me/tokens")).JsonAsync();
        var bTokenId = bTokens[0].Str("id");
        await (await a.Client.DeleteAsync($"/api/v1/me/tokens/{bTokenId}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await b.Client.GetAsync("/api/v1/me")).JsonAsync();
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Token_requests_are_validated(string db)
    {
        var server = servers[db];
        var user = await server.CreateUserAsync();
        var anon = server.CreateClient();
        await (await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = user.Handle, password = "wrong-password" })).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        await (await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = "no-such-person-x", password = "whatever1" })).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        await (await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = user.Handle })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await user.Client.PostAsJsonAsync("/api/v1/me/tokens", new { name = "", scope = "read" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await user.Client.PostAsJsonAsync("/api/v1/me/tokens", new { name = "x", scope = "admin" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await user.Client.PostAsJsonAsync("/api/v1/me/tokens", new { name = "x", expiresInDays = 0 })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await user.Client.PostAsJsonAsync("/api/v1/me/tokens", new { name = new string('n', 101) })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        var bad = server.CreateClient();
        bad.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz");
        await (await bad.GetAsync("/api/v1/me")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Repeated_failures_lock_the_account(string db)
    {
        var server = servers[db];
        var user = await server.CreateUserAsync();
        var anon = server.CreateClient();
        for (var i = 0; i < 5; i++)
            await (await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = user.Handle, password = "wrong-password" })).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        // Even the right password is refused while locked.
        await (await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = user.Handle, password = ChorusServer.Password, name = "x" })).ProblemAsync(HttpStatusCode.TooManyRequests, "locked-out");
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_per_address()
    {
        using var server = new ChorusServer("Sqlite", new Dictionary<string, string?> { ["Chorus:Security:SignInPerMinute"] = "3" });
        var anon = server.CreateClient();
        for (var i = 0; i < 3; i++)
            await (await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = "nobody1", password = "wrong-password" })).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        var limited = await anon.PostAsJsonAsync("/api/v1/auth/tokens", new { handle = "nobody1", password = "wrong-password" });
        await limited.ProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}
