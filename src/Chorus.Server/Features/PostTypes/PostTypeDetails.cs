using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

// Each renderer is called once per page with that page's posts of its kind: a fixed number of queries per page.

public sealed class AnnouncementDetailsRenderer(RequestDb requestDb) : IPostDetails
{
    ChorusDb db => requestDb.Context;

    public string Kind => PostKinds.Announcement;

    public async Task<IReadOnlyDictionary<long, object>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct)
    {
        var ids = posts.Select(p => p.Id).ToList();
        var pinned = await db.Set<Announcement>().AsNoTracking().Where(a => ids.Contains(a.PostId)).ToDictionaryAsync(a => a.PostId, a => a.PinnedAt is not null, ct);
        var seen = await db.Set<AnnouncementView>().Where(v => ids.Contains(v.PostId)).GroupBy(v => v.PostId)
            .Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        var mine = (await db.Set<AnnouncementView>().Where(v => ids.Contains(v.PostId) && v.PersonId == viewer.Id).Select(v => v.PostId).ToListAsync(ct)).ToHashSet();
        // Which of these groups the viewer manages: one query for the page (the all-company group is the network admins').
        var groupIds = posts.Where(p => p.GroupId is not null).Select(p => p.GroupId!.Value).Distinct().ToList();
        var managed = groupIds.Count == 0 ? [] : (await db.GroupMembers.AsNoTracking()
            .Where(m => m.PersonId == viewer.Id && groupIds.Contains(m.GroupId) && m.State == MembershipState.Member && m.Role != GroupRole.Member)
            .Select(m => m.GroupId).ToListAsync(ct)).ToHashSet();
        bool Manages(Post p) => p.GroupId is { } g ? managed.Contains(g) : viewer.IsAdmin && !viewer.IsGuest;
        return posts.ToDictionary(p => p.Id, p => (object)new AnnouncementDetails(
            pinned.GetValueOrDefault(p.Id), seen.GetValueOrDefault(p.Id), mine.Contains(p.Id), viewer.Id != 0 && Manages(p)));
    }
}

public sealed class QuestionDetailsRenderer(RequestDb requestDb) : IPostDetails
{
    ChorusDb db => requestDb.Context;

    public string Kind => PostKinds.Question;

    public async Task<IReadOnlyDictionary<long, object>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct)
    {
        var ids = posts.Select(p => p.Id).ToList();
        var rows = await db.Set<Question>().AsNoTracking().Where(q => ids.Contains(q.PostId)).ToDictionaryAsync(q => q.PostId, ct);
        return posts.Where(p => rows.ContainsKey(p.Id)).ToDictionary(p => p.Id, p => (object)QuestionService.Details(p, rows[p.Id]));
    }
}

public sealed class PollDetailsRenderer(RequestDb requestDb, TimeProvider clock) : IPostDetails
{
    ChorusDb db => requestDb.Context;

    public string Kind => PostKinds.Poll;

    public async Task<IReadOnlyDictionary<long, object>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct) =>
        (await RenderAsync(db, posts, viewer, clock.GetUtcNow().UtcDateTime, ct)).ToDictionary(x => x.Key, x => (object)x.Value);

    /// <summary>
    /// Counts show once the viewer has voted, and to everyone once the poll has closed: early results would sway the
    /// votes still to come. The author is no exception (they see the results by voting, like everyone else).
    /// </summary>
    public static async Task<Dictionary<long, PollDetails>> RenderAsync(ChorusDb db, IReadOnlyList<Post> posts, Viewer viewer, DateTime now, CancellationToken ct)
    {
        var ids = posts.Select(p => p.Id).ToList();
        var polls = await db.Set<Poll>().AsNoTracking().Where(p => ids.Contains(p.PostId)).ToDictionaryAsync(p => p.PostId, ct);
        var options = (await db.Set<PollOption>().AsNoTracking().Where(o => ids.Contains(o.PostId)).ToListAsync(ct)).ToLookup(o => o.PostId);
        var counts = (await db.Set<PollVote>().Where(v => ids.Contains(v.PostId)).GroupBy(v => new { v.PostId, v.Position })
            .Select(g => new { g.Key.PostId, g.Key.Position, N = g.Count() }).ToListAsync(ct)).ToLookup(x => x.PostId);
        var voters = await db.Set<PollVote>().Where(v => ids.Contains(v.PostId)).GroupBy(v => v.PostId)
            .Select(g => new { g.Key, N = g.Select(v => v.PersonId).Distinct().Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        var mine = (await db.Set<PollVote>().Where(v => ids.Contains(v.PostId) && v.PersonId == viewer.Id).Select(v => new { v.PostId, v.Position }).ToListAsync(ct))
            .ToLookup(x => x.PostId, x => x.Position);
        var result = new Dictionary<long, PollDetails>();
        foreach (var post in posts)
        {
            if (!polls.TryGetValue(post.Id, out var poll)) continue;
            var closed = poll.ClosesAt is { } c && c <= now;
            var myVote = mine[post.Id].OrderBy(i => i).ToList();
            var visible = closed || myVote.Count > 0;
            var byOption = counts[post.Id].ToDictionary(x => x.Position, x => x.N);
            result[post.Id] = new PollDetails(poll.Multiple, poll.ClosesAt, closed,
                options[post.Id].OrderBy(o => o.Position).Select(o => new PollOptionDto(o.Position, o.Text, visible ? byOption.GetValueOrDefault(o.Position) : null)).ToList(),
                visible ? voters.GetValueOrDefault(post.Id) : null, myVote, visible);
        }
        return result;
    }
}

public sealed class PraiseDetailsRenderer(RequestDb requestDb, PersonRenderer people) : IPostDetails
{
    ChorusDb db => requestDb.Context;

    public string Kind => PostKinds.Praise;

    public async Task<IReadOnlyDictionary<long, object>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct)
    {
        var ids = posts.Select(p => p.Id).ToList();
        var badges = await db.Set<Praise>().AsNoTracking().Where(p => ids.Contains(p.PostId)).ToDictionaryAsync(p => p.PostId, p => p.Badge, ct);
        var recipients = await db.Set<PraiseRecipient>().AsNoTracking().Where(r => ids.Contains(r.PostId)).ToListAsync(ct);
        var summaries = await people.SummariesAsync(recipients.Select(r => r.PersonId).Distinct(), ct);
        var byPost = recipients.ToLookup(r => r.PostId, r => r.PersonId);
        return badges.ToDictionary(b => b.Key, b => (object)new PraiseDetails(b.Value, Badges.Label(b.Value),
            byPost[b.Key].Where(summaries.ContainsKey).Select(id => summaries[id]).OrderBy(s => s.DisplayName).ToList()));
    }
}

public sealed class EventDetailsRenderer(RequestDb requestDb) : IPostDetails
{
    ChorusDb db => requestDb.Context;

    public string Kind => PostKinds.Event;

    public async Task<IReadOnlyDictionary<long, object>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct)
    {
        var ids = posts.Select(p => p.Id).ToList();
        var events = await db.Set<CalendarEvent>().AsNoTracking().Where(e => ids.Contains(e.PostId)).ToListAsync(ct);
        var counts = (await db.Set<EventRsvp>().Where(r => ids.Contains(r.PostId)).GroupBy(r => new { r.PostId, r.Answer })
            .Select(g => new { g.Key.PostId, g.Key.Answer, N = g.Count() }).ToListAsync(ct)).ToLookup(x => x.PostId);
        var mine = await db.Set<EventRsvp>().Where(r => ids.Contains(r.PostId) && r.PersonId == viewer.Id)
            .ToDictionaryAsync(r => r.PostId, r => r.Answer, ct);
        return events.ToDictionary(e => e.PostId, e =>
        {
            var c = counts[e.PostId].ToDictionary(x => x.Answer, x => x.N);
            return (object)new EventDetails(e.Title, e.StartsLocal, e.EndsLocal, e.TimeZone, e.StartsAt, e.EndsAt, e.Place, e.OnlineUrl, e.Description,
                new RsvpCounts(c.GetValueOrDefault(RsvpAnswer.Yes), c.GetValueOrDefault(RsvpAnswer.Maybe), c.GetValueOrDefault(RsvpAnswer.No)),
                mine.TryGetValue(e.PostId, out var a) ? Rsvps.Name(a) : null, $"/api/v1/posts/{e.PostId}/event.ics");
        });
    }
}
