using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Features.PostTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.PostTypes;

public sealed class EventTests(Servers servers)
{
    static object Event(string start = "2030-06-01T10:00", string end = "2030-06-01T11:30", string tz = "Europe/Berlin",
        string? place = "Room 4; Floor 2, North", string? onlineUrl = null, string title = "Quarterly review") =>
        new { title, start, end, timeZone = tz, place, onlineUrl, description = "Agenda:\nnumbers, plans" };

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Events_take_rsvps_list_attendees_and_export_a_calendar_file(string db)
    {
        var server = servers[db];
        var host = await server.CreateUserAsync();
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var created = await host.CreateAsync("1", "events", Event());
        var id = created.Str("id");
        var details = created.GetProperty("details");
        Assert.Equal("2030-06-01T10:00:00", details.Str("start"));
        Assert.Equal(new DateTime(2030, 6, 1, 8, 0, 0, DateTimeKind.Utc), details.GetProperty("startsAt").GetDateTime().ToUniversalTime());
        Assert.Equal("Quarterly review", created.Str("text"));

        await (await ada.Client.PutAsJsonAsync($"/api/v1/posts/{id}/rsvp", new { answer = "yes" })).JsonAsync();
        await (await ben.Client.PutAsJsonAsync($"/api/v1/posts/{id}/rsvp", new { answer = "yes" })).JsonAsync();
        var counts = await (await ben.Client.PutAsJsonAsync($"/api/v1/posts/{id}/rsvp", new { answer = "maybe" })).JsonAsync();
        Assert.Equal((1, 1, 0), (counts.GetProperty("yes").GetInt32(), counts.GetProperty("maybe").GetInt32(), counts.GetProperty("no").GetInt32()));
        await (await ada.Client.PutAsJsonAsync($"/api/v1/posts/{id}/rsvp", new { answer = "perhaps" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal("maybe", (await ben.DetailsAsync(id)).Str("myAnswer"));
        var attendees = await (await host.Client.GetAsync($"/api/v1/posts/{id}/attendees")).JsonAsync();
        Assert.Equal([ada.Handle], attendees.GetProperty("yes").EnumerateArray().Select(p => p.Str("handle")));
        Assert.Equal([ben.Handle], attendees.GetProperty("maybe").EnumerateArray().Select(p => p.Str("handle")));

        var ics = await ada.Client.GetAsync($"/api/v1/posts/{id}/event.ics");
        Assert.Equal(HttpStatusCode.OK, ics.StatusCode);
        Assert.Equal("text/calendar", ics.Content.Headers.ContentType?.MediaType);
        var text = await ics.Content.ReadAsStringAsync();
        Assert.StartsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", text);
        Assert.Contains($"UID:event-{id}@chorus\r\n", text);
        Assert.Contains("DTSTART:20300601T080000Z\r\n", text);
        Assert.Contains("DTEND:20300601T093000Z\r\n", text);
        Assert.Contains("LOCATION:Room 4\\; Floor 2\\, North\r\n", text);
        Assert.Contains("DESCRIPTION:Agenda:\\nnumbers\\, plans\r\n", text);
        Assert.EndsWith("END:VEVENT\r\nEND:VCALENDAR\r\n", text);
        Assert.All(text.Split("\r\n"), line => Assert.True(System.Text.Encoding.UTF8.GetByteCount(line) <= 75, line));
    }

    public static TheoryData<string, object, string> BadEvents => new()
    {
        { "Sqlite", Event(tz: "Mars/Olympus"), "timeZone" },
        { "Postgres", Event(tz: ""), "timeZone" },
        { "Sqlite", Event(end: "2030-06-01T09:00"), "end" },
        { "Postgres", Event(start: "next tuesday"), "start" },
        { "Sqlite", Event(start: "2030-03-31T02:30", end: "2030-03-31T04:00"), "start" },
        { "Postgres", Event(place: null, onlineUrl: "javascript:alert(1)"), "onlineUrl" },
        { "Sqlite", Event(place: null, onlineUrl: null), "place" },
        { "Postgres", Event(title: ""), "title" },
    };

    [Theory, MemberData(nameof(BadEvents))]
    public async Task Bad_events_are_refused_naming_the_field(string db, object body, string field)
    {
        var ada = await servers[db].CreateUserAsync();
        var problem = await (await ada.Client.PostAsJsonAsync("/api/v1/groups/1/events", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_reminder_goes_once_to_yes_and_maybe_people_before_the_start(string db)
    {
        var server = servers[db];
        var host = await server.CreateUserAsync();
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var cat = await server.CreateUserAsync();
        var id = (await host.CreateAsync("1", "events", Event(start: "2031-01-01T10:00", end: "2031-01-01T11:00", tz: "UTC", onlineUrl: "https://meet.example.com/x"))).Str("id");
        await (await ada.Client.PutAsJsonAsync($"/api/v1/posts/{id}/rsvp", new { answer = "yes" })).JsonAsync();
        await (await ben.Client.PutAsJsonAsync($"/api/v1/posts/{id}/rsvp", new { answer = "maybe" })).JsonAsync();
        await (await cat.Client.PutAsJsonAsync($"/api/v1/posts/{id}/rsvp", new { answer = "no" })).JsonAsync();

        var start = new DateTime(2031, 1, 1, 10, 0, 0, DateTimeKind.Utc);
        Task Run(DateTime now) => server.WithScopeAsync(sp => sp.GetRequiredService<EventReminderService>().SendDueAsync(now, CancellationToken.None));
        await Run(start.AddHours(-3)); // too early
        Assert.Equal(0, await server.NotificationsAsync(ada.Id, "event-reminder", id));
        await Run(start.AddMinutes(-50));
        await Run(start.AddMinutes(-40)); // already sent: nothing more
        Assert.Equal(1, await server.NotificationsAsync(ada.Id, "event-reminder", id));
        Assert.Equal(1, await server.NotificationsAsync(ben.Id, "event-reminder", id));
        Assert.Equal(0, await server.NotificationsAsync(cat.Id, "event-reminder", id));
        Assert.NotNull(await server.InDbAsync(d => d.Set<CalendarEvent>().Where(e => e.PostId == long.Parse(id)).Select(e => e.ReminderSentAt).FirstAsync()));
    }
}

/// <summary>GET /api/v1/groups/{id}/events: a group's events that have not ended, soonest first.</summary>
public sealed class UpcomingEventTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_groups_upcoming_events_page_soonest_first_for_its_readers_only(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var gid = await PostTypeHelpers.GroupAsync(owner, "private", member);
        var secret = await PostTypeHelpers.GroupAsync(owner, "secret");
        object At(string title, string start, string end) => new { title, start, end, timeZone = "UTC", place = "Room 1" };
        var later = (await owner.CreateAsync(gid, "events", At("Later", "2031-05-02T10:00", "2031-05-02T11:00"))).Str("id");
        var sooner = (await owner.CreateAsync(gid, "events", At("Sooner", "2031-05-01T10:00", "2031-05-01T11:00"))).Str("id");
        await owner.CreateAsync(gid, "events", At("Over", "2020-01-01T10:00", "2020-01-01T11:00"));

        var first = await (await member.Client.GetAsync($"/api/v1/groups/{gid}/events?limit=1")).JsonAsync();
        Assert.Equal([sooner], first.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        var next = await (await member.Client.GetAsync($"/api/v1/groups/{gid}/events?limit=1&cursor={first.Str("nextCursor")}")).JsonAsync();
        Assert.Equal([later], next.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, next.GetProperty("nextCursor").ValueKind);

        await (await member.Client.GetAsync($"/api/v1/groups/{gid}/events?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await member.Client.GetAsync($"/api/v1/groups/{gid}/events?limit=101")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await member.Client.GetAsync($"/api/v1/groups/{gid}/events?cursor=-5")).ProblemAsync(HttpStatusCode.BadRequest, "bad-request");
        await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/events")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await outsider.Client.GetAsync($"/api/v1/groups/{secret}/events")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
