using System.Net;
using System.Text.RegularExpressions;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.PostTypes;

public sealed partial class PostTypeWebTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Cards_render_each_kind_and_the_vote_and_rsvp_forms_work_without_scripts(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var ada = await server.CreateUserAsync();
        var poll = (await author.CreateAsync("1", "polls", new { text = "Lunch?", options = new[] { "Pizza", "Sushi" } })).Str("id");
        var evt = (await author.CreateAsync("1", "events", new { title = "Launch party", start = "2030-05-05T17:00", end = "2030-05-05T20:00", timeZone = "Europe/Lisbon", place = "Roof" })).Str("id");
        var praise = (await author.CreateAsync("1", "praise", new { text = "Great demo", recipients = new[] { ada.Handle }, badge = "innovator" })).Str("id");

        var secret = await server.WithScopeAsync(async sp =>
        {
            var person = (await sp.GetRequiredService<PeopleService>().FindAsync(ada.Handle, CancellationToken.None))!;
            return await sp.GetRequiredService<CredentialService>().CreateSessionAsync(person, "browser", CancellationToken.None);
        });
        var browser = server.CreateClient();
        browser.DefaultRequestHeaders.Add("Cookie", $"{ChorusAuthenticationHandler.SessionCookie}={secret}");

        var pollPage = await browser.GetAsync($"/posts/{poll}");
        var html = await pollPage.Content.ReadAsStringAsync();
        Assert.Contains($"action=\"/post-types/{poll}?handler=Vote\"", html);
        Assert.Contains("type=\"radio\" name=\"options\" value=\"1\"", html);
        Assert.DoesNotContain("style=", html);
        Assert.Contains("Launch party", await (await browser.GetAsync($"/posts/{evt}")).Content.ReadAsStringAsync());
        Assert.Contains("Innovator", await (await browser.GetAsync($"/posts/{praise}")).Content.ReadAsStringAsync());
        var profile = await (await browser.GetAsync($"/people/{ada.Handle}")).Content.ReadAsStringAsync();
        Assert.Contains("Praise for", profile);
        Assert.Contains("Great demo", profile);

        var token = Token().Match(html).Groups[1].Value;
        var csrf = pollPage.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("chorus_csrf", StringComparison.Ordinal)).Split(';')[0];
        var formClient = server.CreateClient();
        async Task<HttpResponseMessage> Submit(string url, Dictionary<string, string> form)
        {
            form["__RequestVerificationToken"] = token;
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Add("Cookie", $"{ChorusAuthenticationHandler.SessionCookie}={secret}; {csrf}");
            return await formClient.SendAsync(request);
        }
        var voted = await Submit($"/post-types/{poll}?handler=Vote", new() { ["options"] = "1", ["replace"] = "false", ["returnUrl"] = $"/posts/{poll}" });
        // Back to the page the form came from (the client may follow the redirect itself).
        Assert.Equal($"/posts/{poll}", voted.StatusCode == HttpStatusCode.Redirect ? voted.Headers.Location?.OriginalString : voted.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(1, (await ada.DetailsAsync(poll)).GetProperty("options")[1].GetProperty("votes").GetInt32());
        var refused = await Submit($"/post-types/{poll}?handler=Vote", new() { ["options"] = "0", ["replace"] = "false", ["returnUrl"] = $"/posts/{poll}" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("PUT your vote", await refused.Content.ReadAsStringAsync());
        await Submit($"/post-types/{evt}?handler=Rsvp", new() { ["answer"] = "maybe", ["returnUrl"] = $"/posts/{evt}" });
        Assert.Equal("maybe", (await ada.DetailsAsync(evt)).Str("myAnswer"));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
