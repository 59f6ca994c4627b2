using System.Net;
using System.Text.RegularExpressions;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Groups;

/// <summary>
/// A signed-in browser without scripts: a session cookie, the anti-forgery cookie it is given, and the form token
/// of the last page it read, which is what a form on that page posts. Redirects are not followed, so tests see them.
/// </summary>
public sealed partial class WebBrowser
{
    readonly HttpClient _client;
    readonly string _session;
    string? _csrf, _token;

    WebBrowser(HttpClient client, string session) => (_client, _session) = (client, session);

    public static async Task<WebBrowser> SignInAsync(ChorusServer server, TestUser user)
    {
        var secret = await server.WithScopeAsync(async sp =>
        {
            var person = (await sp.GetRequiredService<PeopleService>().FindAsync(user.Handle, CancellationToken.None))!;
            return await sp.GetRequiredService<CredentialService>().CreateSessionAsync(person, "browser", CancellationToken.None);
        });
        // A plain client on the server's real port: the factory's clients follow redirects whatever their options say.
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.CreateClient().BaseAddress };
        return new WebBrowser(client, secret);
    }

    public async Task<HttpResponseMessage> GetAsync(string url)
    {
        var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url));
        await KeepTokenAsync(response);
        return response;
    }

    /// <summary>The page's HTML, asserting the status it came with.</summary>
    public async Task<string> HtmlAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {url}: expected {(int)expected} but got {(int)response.StatusCode}");
        return html;
    }

    /// <summary>Posts a form with the token of the last page read; fields may repeat (several options, say).</summary>
    public async Task<HttpResponseMessage> PostAsync(string url, params (string Name, string Value)[] fields)
    {
        Assert.NotNull(_token);
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", _token!));
        var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) });
        await KeepTokenAsync(response);
        return response;
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        request.Headers.Add("Cookie", $"{ChorusAuthenticationHandler.SessionCookie}={_session}" + (_csrf is null ? "" : "; " + _csrf));
        return await _client.SendAsync(request);
    }

    async Task KeepTokenAsync(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies) &&
            cookies.FirstOrDefault(c => c.StartsWith("chorus_csrf", StringComparison.Ordinal)) is { } csrf)
            _csrf = csrf.Split(';')[0];
        var match = Token().Match(await response.Content.ReadAsStringAsync());
        if (match.Success) _token = match.Groups[1].Value;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

public static class Redirects
{
    /// <summary>Where a redirect points (path and query), or null when the answer is not a redirect.</summary>
    public static string? Target(this HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther ? response.Headers.Location?.OriginalString : null;
}
