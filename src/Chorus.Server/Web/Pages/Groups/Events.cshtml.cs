using System.Globalization;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.Posts;
using Chorus.Server.Features.PostTypes;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups;

/// <summary>A group's upcoming events, soonest first (EventService.UpcomingAsync, as GET /api/v1/groups/{id}/events).</summary>
public sealed class EventsModel(GroupService groups, EventService events) : ChorusPageModel
{
    public GroupDto Group { get; private set; } = null!;
    public IReadOnlyList<PostDto> Events { get; private set; } = [];
    public string? Next { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, string? cursor, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return NotFound();
        Group = (await groups.RenderAsync(Viewer, [context.Value!], ct))[0];
        var page = await events.UpcomingAsync(Viewer, context.Value!, cursor, null, ct);
        if (!page.Ok) return StatusCode(page.Problem!.Status);
        (Events, Next) = (page.Value!.Items, page.Value.NextCursor);
        return Page();
    }

    /// <summary>"Tue 5 May 2030, 17:00 – 20:00" in the event's own zone, as its organizer entered it; the end's date only when it differs.</summary>
    public static string When(EventDetails e)
    {
        var start = DateTime.ParseExact(e.Start, EventService.LocalFormat, CultureInfo.InvariantCulture);
        var end = DateTime.ParseExact(e.End, EventService.LocalFormat, CultureInfo.InvariantCulture);
        const string day = "ddd d MMM yyyy, HH:mm";
        return start.ToString(day, CultureInfo.InvariantCulture) + " – " +
               end.ToString(end.Date == start.Date ? "HH:mm" : day, CultureInfo.InvariantCulture);
    }
}
