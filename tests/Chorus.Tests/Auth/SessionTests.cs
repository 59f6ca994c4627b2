using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Features.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Auth;

public sealed class SessionTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_session_cookie_reads_the_api_but_cannot_write_without_the_anti_forgery_token(string db)
    {
        var server = servers[db];
        var user = await server.CreateUserAsync();
        var secret = await server.WithScopeAsync(async sp =>
        {
            var person = (await sp.GetRequiredService<Chorus.Server.Features.People.PeopleService>().FindAsync(user.Handle, CancellationToken.None))!;
            return await sp.GetRequiredService<CredentialService>().CreateSessionAsync(person, "test browser", CancellationToken.None);
        });
        var browser = server.CreateClient();
        browser.DefaultRequestHeaders.Add("Cookie", $"{ChorusAuthenticationHandler.SessionCookie}={secret}");

        var me = await (await browser.GetAsync("/api/v1/me")).JsonAsync();
        Assert.Equal(user.Handle, me.GetProperty("person").Str("handle"));
        // A cross-site form or fetch would carry the cookie but cannot know the anti-forgery token.
        await (await browser.PostAsJsonAsync("/api/v1/posts", new { text = "forged" })).ProblemAsync(HttpStatusCode.BadRequest, "antiforgery");

        var session = await server.InDbAsync(d => Task.FromResult(d.Credentials.Single(c => c.PersonId == user.Id && c.Kind == Chorus.Server.Data.CredentialKind.Session)));
        await server.WithScopeAsync(sp => sp.GetRequiredService<CredentialService>().RevokeAsync(user.Id, session.Id, CancellationToken.None));
        await (await browser.GetAsync("/api/v1/me")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
