using System.Net;
using Chorus.Tests.Groups;

namespace Chorus.Tests.PostTypes;

public sealed partial class PostTypeWebTests
{
    static async Task<string> RefusedAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} but got {(int)response.StatusCode}");
        return html;
    }

    static string PostId(HttpResponseMessage created, string gid)
    {
        var target = created.Target();
        Assert.True(target?.StartsWith($"/groups/{gid}#post-", StringComparison.Ordinal) == true, $"{(int)created.StatusCode} → {target}");
        return target![(target.IndexOf("#post-", StringComparison.Ordinal) + 6)..];
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Group_page_forms_start_polls_with_errors_in_place_and_nothing_lost(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var gid = await PostTypeHelpers.GroupAsync(owner, "private", member);
        var page = $"/groups/{gid}";

        var asOutsider = await WebBrowser.SignInAsync(server, outsider);
        var closed = await asOutsider.HtmlAsync(page);
        Assert.DoesNotContain("handler=Poll", closed);
        Assert.DoesNotContain("handler=Event", closed);
        Assert.DoesNotContain("handler=Praise", closed);

        var browser = await WebBrowser.SignInAsync(server, member);
        var html = await browser.HtmlAsync(page);
        Assert.Contains($"action=\"{page}?handler=Poll\"", html);
        Assert.Contains("name=\"options\"", html);

        var one = await RefusedAsync(await browser.PostAsync(page + "?handler=Poll", ("text", "Where to for lunch?"), ("options", "Pizza"), ("options", ""), ("multiple", "true")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("id=\"poll-options-error\"", one);
        Assert.Contains("Where to for lunch?</textarea>", one);
        Assert.Contains("value=\"Pizza\"", one);
        Assert.Contains("<details class=\"card post-kinds\" id=\"new-poll\" open=\"open\">", one);
        Assert.Contains("value=\"true\" checked=\"checked\"", one);

        var zone = await RefusedAsync(await browser.PostAsync(page + "?handler=Poll", ("text", "Lunch?"), ("options", "Pizza"), ("options", "Sushi"),
            ("closesAt", "2031-01-01T12:00"), ("closesZone", "Mars/Olympus")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("id=\"poll-zone-error\"", zone);
        Assert.Contains("value=\"Mars/Olympus\"", zone);
        Assert.Contains("value=\"2031-01-01T12:00\"", zone);

        // Closing within the year a poll may run, typed as Berlin wall-clock time.
        var closes = DateTime.UtcNow.Date.AddDays(40).AddHours(12);
        var created = await browser.PostAsync(page + "?handler=Poll", ("text", "Lunch?"), ("options", "Pizza"), ("options", ""), ("options", "Sushi"),
            ("multiple", "true"), ("closesAt", closes.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture)), ("closesZone", "Europe/Berlin"));
        var details = await member.DetailsAsync(PostId(created, gid));
        Assert.True(details.GetProperty("multiple").GetBoolean());
        Assert.Equal(["Pizza", "Sushi"], details.GetProperty("options").EnumerateArray().Select(o => o.Str("text")).ToArray());
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.Equal(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(closes, DateTimeKind.Unspecified), berlin), details.GetProperty("closesAt").GetDateTime().ToUniversalTime());

        // The question form keeps its text too when refused (members do not announce).
        var announce = await RefusedAsync(await browser.PostAsync(page + "?handler=Kind", ("kind", "announcement"), ("text", "Everyone: free cake")), HttpStatusCode.Forbidden);
        Assert.Contains("Everyone: free cake</textarea>", announce);
        Assert.Contains("make announcements", announce);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Group_page_forms_plan_events_and_give_praise_with_errors_in_place(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var gid = await PostTypeHelpers.GroupAsync(owner, "public", member);
        var page = $"/groups/{gid}";
        var browser = await WebBrowser.SignInAsync(server, member);
        Assert.Contains("<form method=\"post\" action=\"" + page + "?handler=Event\" class=\"stack\" id=\"new-event\"", await browser.HtmlAsync(page));
        Assert.Contains("<details class=\"card post-kinds\" open=\"open\">\n    <summary>Plan an event", await browser.HtmlAsync(page + "?compose=event"));

        (string, string)[] Event(string? place = "Harbour hall", string end = "2031-03-04T20:00") =>
            [("title", "Spring dinner"), ("start", "2031-03-04T18:00"), ("end", end), ("timeZone", "Europe/Lisbon"), ("place", place ?? ""), ("onlineUrl", ""), ("description", "Bring a friend")];
        var nowhere = await RefusedAsync(await browser.PostAsync(page + "?handler=Event", Event(place: null)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("id=\"event-place-error\"", nowhere);
        Assert.Contains("value=\"Spring dinner\"", nowhere);
        Assert.Contains("Bring a friend</textarea>", nowhere);
        Assert.Contains("value=\"Europe/Lisbon\"", nowhere);
        var backwards = await RefusedAsync(await browser.PostAsync(page + "?handler=Event", Event(end: "2031-03-04T17:00")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("id=\"event-end-error\"", backwards);
        Assert.Contains("aria-describedby=\"event-end-error\"", backwards);
        var evt = await member.DetailsAsync(PostId(await browser.PostAsync(page + "?handler=Event", Event()), gid));
        Assert.Equal(("Spring dinner", "Europe/Lisbon", "Harbour hall"), (evt.Str("title"), evt.Str("timeZone"), evt.Str("place")));
        Assert.Contains("Spring dinner", await browser.HtmlAsync($"/groups/{gid}/events"));

        var unknown = "nobody" + Guid.NewGuid().ToString("N")[..8];
        var refused = await RefusedAsync(await browser.PostAsync(page + "?handler=Praise", ("recipients", $"{owner.Handle}, {unknown}"), ("badge", "mentor"), ("text", "Thanks for the help")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("id=\"praise-people-error\"", refused);
        Assert.Contains(unknown, refused);
        Assert.Contains("Thanks for the help</textarea>", refused);
        Assert.Contains("value=\"mentor\" selected=\"selected\"", refused);
        var praise = await member.DetailsAsync(PostId(await browser.PostAsync(page + "?handler=Praise", ("recipients", "@" + owner.Handle), ("badge", "mentor"), ("text", "Thanks for the help")), gid));
        Assert.Equal("mentor", praise.Str("badge"));
        Assert.Equal([owner.Handle], praise.GetProperty("recipients").EnumerateArray().Select(r => r.Str("handle")).ToArray());
    }
}
