using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.Notifications;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>Praise: thanking up to 20 people with a badge; they are notified, and their profile lists what they received.</summary>
public sealed class PraiseService(ChorusDb db, PostService posts, NotificationWriter notifications, PostRenderer renderer)
{
    public const int MaxRecipients = 20;

    public async Task<Outcome<Post>> CreateAsync(Viewer viewer, string groupId, CreatePraiseRequest request, CancellationToken ct)
    {
        var badge = Badges.Normalize(request.Badge);
        if (badge is null) return Problem.Invalid("badge", $"must be one of: {string.Join(", ", Badges.All.Select(b => b.Name))}.");
        var handles = (request.Recipients ?? []).Select(h => h?.Trim().TrimStart('@').ToLowerInvariant() ?? "").ToList();
        if (handles.Count is < 1 or > MaxRecipients) return Problem.Invalid("recipients", $"must name 1 to {MaxRecipients} people (it names {handles.Count}).");
        var distinct = handles.Distinct().ToList();
        var people = await db.People.AsNoTracking().Where(p => distinct.Contains(p.HandleKey) && p.DeactivatedAt == null)
            .Select(p => new { p.Id, p.HandleKey }).ToListAsync(ct);
        if (distinct.FirstOrDefault(h => people.All(p => p.HandleKey != h)) is { } unknown)
            return Problem.Invalid("recipients", $"'{unknown}' is not an active person's handle.");
        if (people.Any(p => p.Id == viewer.Id)) return Problem.Invalid("recipients", "Praise is for others: leave yourself out.");

        return await posts.CreateAsync(viewer, new CreatePostRequest(request.Text, null, groupId), PostKinds.Praise, async (post, _) =>
        {
            db.Add(new Praise { PostId = post.Id, Badge = badge });
            foreach (var p in people) db.Add(new PraiseRecipient { PostId = post.Id, PersonId = p.Id });
            // The writer applies the visibility rule: praise in a private group reaches only recipients who are members.
            await notifications.AddAsync(NotificationKinds.Praise, viewer.Id, people.Select(p => p.Id).ToList(), post, post.CreatedAt, ct);
            return null;
        }, ct);
    }

    /// <summary>Praise a person received, newest first, only the posts the viewer may see.</summary>
    public async Task<Outcome<Page<PostDto>>> ReceivedAsync(Viewer viewer, string handle, string? cursor, int? limit, CancellationToken ct)
    {
        var n = limit ?? FeedService.DefaultLimit;
        if (n is < 1 or > FeedService.MaxLimit) return Problem.BadRequest("limit", $"must be between 1 and {FeedService.MaxLimit}.");
        var before = long.MaxValue;
        if (cursor is not null && (!long.TryParse(cursor, out before) || before <= 0)) return Problem.BadRequest("cursor", "is not a cursor this server issued.");
        var key = handle.Trim().ToLowerInvariant();
        var person = await db.People.AsNoTracking().Where(p => p.HandleKey == key).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct);
        if (person is not { } pid) return Problem.NotFound("The person");
        var ids = await (from r in db.Set<PraiseRecipient>()
                         join p in db.Posts.VisibleTo(viewer) on r.PostId equals p.Id
                         where r.PersonId == pid && r.PostId < before
                         orderby r.PostId descending
                         select r.PostId).Take(n + 1).ToListAsync(ct);
        var page = ids.Take(n).ToList();
        var found = await db.Posts.AsNoTracking().Where(p => page.Contains(p.Id)).OrderByDescending(p => p.Id).ToListAsync(ct);
        return new Page<PostDto>(await renderer.RenderAsync(found, viewer, ct), ids.Count > n ? page[^1].ToString() : null);
    }
}
