using System.Globalization;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>Events: a time in a named time zone, a place or an online link, RSVPs, a calendar file, and a reminder before the start.</summary>
public sealed class EventService(ChorusDb db, PostService posts, PostTypeAccess access, PersonRenderer people, PostRenderer renderer, TimeProvider clock)
{
    public const int DefaultLimit = 50, MaxLimit = 100;

    public const int MaxTitle = 200, MaxPlace = 200, MaxUrl = 2000, MaxDescription = 5000;
    static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];
    public const string LocalFormat = "yyyy-MM-dd'T'HH:mm:ss";

    public async Task<Outcome<Post>> CreateAsync(Viewer viewer, string groupId, CreateEventRequest request, CancellationToken ct)
    {
        var checkedEvent = Check(request);
        if (!checkedEvent.Ok) return checkedEvent.Problem!;
        var row = checkedEvent.Value!;
        var text = string.IsNullOrWhiteSpace(request.Text) ? row.Title : request.Text;
        return await posts.CreateAsync(viewer, new CreatePostRequest(text, null, groupId), PostKinds.Event, (post, _) =>
        {
            row.PostId = post.Id;
            db.Add(row);
            return Task.FromResult<Problem?>(null);
        }, ct);
    }

    static Outcome<CalendarEvent> Check(CreateEventRequest r)
    {
        var title = r.Title?.Trim() ?? "";
        if (title.Length is < 1 or > MaxTitle) return Problem.Invalid("title", $"must be 1 to {MaxTitle} characters.");
        var found = Zone(r.TimeZone, "timeZone");
        if (!found.Ok) return found.Problem!;
        var zone = found.Value!;
        var start = ParseLocal(r.Start, "start", zone);
        if (!start.Ok) return start.Problem!;
        var end = ParseLocal(r.End, "end", zone);
        if (!end.Ok) return end.Problem!;
        var startsAt = TimeZoneInfo.ConvertTimeToUtc(start.Value, zone);
        var endsAt = TimeZoneInfo.ConvertTimeToUtc(end.Value, zone);
        if (endsAt <= startsAt) return Problem.Invalid("end", "must be after start.");
        var place = string.IsNullOrWhiteSpace(r.Place) ? null : r.Place.Trim();
        if (place is { Length: > MaxPlace }) return Problem.Invalid("place", $"must be at most {MaxPlace} characters.");
        var url = string.IsNullOrWhiteSpace(r.OnlineUrl) ? null : r.OnlineUrl.Trim();
        if (url is not null && (url.Length > MaxUrl || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            return Problem.Invalid("onlineUrl", "must be an absolute http or https link.");
        if (place is null && url is null) return Problem.Invalid("place", "Give a place or an online link (onlineUrl).");
        var description = r.Description?.Trim() ?? "";
        if (description.Length > MaxDescription) return Problem.Invalid("description", $"must be at most {MaxDescription} characters.");
        foreach (var (field, value) in new[] { ("title", title), ("place", place ?? ""), ("description", description) })
            if (value.Contains('\0')) return Problem.Invalid(field, "must not contain NUL characters.");
        return new CalendarEvent
        {
            Title = title, TimeZone = zone.Id, StartsLocal = start.Value.ToString(LocalFormat, CultureInfo.InvariantCulture),
            EndsLocal = end.Value.ToString(LocalFormat, CultureInfo.InvariantCulture), StartsAt = startsAt, EndsAt = endsAt,
            Place = place, OnlineUrl = url, Description = description,
        };
    }

    /// <summary>An IANA time zone by id; also what the web forms use to read a local date-time (a poll's closing time).</summary>
    public static Outcome<TimeZoneInfo> Zone(string? id, string field)
    {
        if (string.IsNullOrWhiteSpace(id)) return Problem.Invalid(field, "is required: an IANA time zone such as Europe/Berlin.");
        try { return TimeZoneInfo.FindSystemTimeZoneById(id.Trim()); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return Problem.Invalid(field, $"'{id}' is not a known IANA time zone.");
        }
    }

    public static Outcome<DateTime> ParseLocal(string? value, string field, TimeZoneInfo zone)
    {
        if (!DateTime.TryParseExact(value?.Trim(), LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return Problem.Invalid(field, "must be a local date-time without offset, like 2026-12-01T10:00.");
        // A wall-clock time skipped by a daylight-saving change does not exist in that zone.
        if (zone.IsInvalidTime(local)) return Problem.Invalid(field, $"does not exist in {zone.Id} (a daylight-saving change skips it).");
        return DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
    }

    /// <summary>
    /// A group's events that have not ended yet, soonest first, under the visibility rule. The cursor is an offset:
    /// the order is by start time, not by id, and the list is short-lived by nature.
    /// </summary>
    public async Task<Outcome<Page<PostDto>>> UpcomingAsync(Viewer viewer, GroupContext context, string? cursor, int? limit, CancellationToken ct)
    {
        var (group, mine) = context;
        if (!GroupAccess.CanRead(viewer, group, mine)) return Problem.Forbidden("Only the group's members can see its events.");
        var n = limit ?? DefaultLimit;
        if (n is < 1 or > MaxLimit) return Problem.BadRequest("limit", $"must be between 1 and {MaxLimit}.");
        var skip = 0;
        if (cursor is not null && (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip < 0))
            return Problem.BadRequest("cursor", "is not a cursor this server issued.");
        var now = clock.GetUtcNow().UtcDateTime;
        var gid = group.Id;
        var roots = db.Posts.VisibleTo(viewer).Where(p => p.Kind == PostKinds.Event && p.ReplyToId == null);
        roots = group.Kind == GroupKind.Company ? roots.Where(p => p.GroupId == null) : roots.Where(p => p.GroupId == gid);
        var found = await (from e in db.Set<CalendarEvent>()
                           join p in roots.AsNoTracking() on e.PostId equals p.Id
                           where e.EndsAt > now
                           orderby e.StartsAt, e.PostId
                           select p).Skip(skip).Take(n + 1).ToListAsync(ct);
        return new Page<PostDto>(await renderer.RenderAsync(found.Take(n).ToList(), viewer, ct),
            found.Count > n ? (skip + n).ToString(CultureInfo.InvariantCulture) : null);
    }

    public async Task<Outcome<RsvpCounts>> RsvpAsync(Viewer viewer, string id, RsvpRequest request, CancellationToken ct)
    {
        if (Rsvps.Parse(request.Answer) is not { } answer) return Problem.Invalid("answer", "must be yes, maybe or no.");
        var found = await access.FindAsync(viewer, id, PostKinds.Event, "The event", ct);
        if (!found.Ok) return found.Problem!;
        var post = found.Value!;
        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.Set<EventRsvp>().FirstOrDefaultAsync(r => r.PostId == post.Id && r.PersonId == viewer.Id, ct);
        if (row is null) db.Add(new EventRsvp { PostId = post.Id, PersonId = viewer.Id, Answer = answer, AnsweredAt = now });
        else if (row.Answer != answer) { row.Answer = answer; row.AnsweredAt = now; }
        else return await CountsAsync(post.Id, ct);
        access.Touch(viewer, post, now);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.ChangeTracker.Clear(); /* two first answers raced: one row wins, the person answers again to change it */ }
        return await CountsAsync(post.Id, ct);
    }

    async Task<RsvpCounts> CountsAsync(long postId, CancellationToken ct)
    {
        var counts = await db.Set<EventRsvp>().Where(r => r.PostId == postId).GroupBy(r => r.Answer)
            .Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        return new RsvpCounts(counts.GetValueOrDefault(RsvpAnswer.Yes), counts.GetValueOrDefault(RsvpAnswer.Maybe), counts.GetValueOrDefault(RsvpAnswer.No));
    }

    public async Task<Outcome<AttendeesDto>> AttendeesAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var found = await access.FindAsync(viewer, id, PostKinds.Event, "The event", ct);
        if (!found.Ok) return found.Problem!;
        var rows = await db.Set<EventRsvp>().AsNoTracking().Where(r => r.PostId == found.Value!.Id).OrderBy(r => r.AnsweredAt).ToListAsync(ct);
        var summaries = await people.SummariesAsync(rows.Select(r => r.PersonId), ct);
        List<PersonSummary> Of(RsvpAnswer a) => rows.Where(r => r.Answer == a && summaries.ContainsKey(r.PersonId)).Select(r => summaries[r.PersonId]).ToList();
        var (yes, maybe, no) = (Of(RsvpAnswer.Yes), Of(RsvpAnswer.Maybe), Of(RsvpAnswer.No));
        return new AttendeesDto(new RsvpCounts(yes.Count, maybe.Count, no.Count), yes, maybe, no);
    }

    public async Task<Outcome<string>> CalendarAsync(Viewer viewer, string id, string origin, CancellationToken ct)
    {
        var found = await access.FindAsync(viewer, id, PostKinds.Event, "The event", ct);
        if (!found.Ok) return found.Problem!;
        var row = await db.Set<CalendarEvent>().AsNoTracking().FirstAsync(e => e.PostId == found.Value!.Id, ct);
        return ICalendar.Write(row, found.Value!, origin, clock.GetUtcNow().UtcDateTime);
    }
}
