using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Notifications;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>Announcements: made by the people who manage a group, pinned on top of its feed, sent to every member, with "seen by".</summary>
public sealed class AnnouncementService(ChorusDb db, PostService posts, PostTypeAccess access, AnnouncementFanout fanout,
    PersonRenderer people, TimeProvider clock)
{
    /// <summary>A feed shows at most this many pinned posts on top of its first page.</summary>
    public const int MaxPinned = 10;
    public const int MaxSeenListed = 1000;

    public Task<Outcome<Post>> CreateAsync(Viewer viewer, string groupId, CreateAnnouncementRequest request, CancellationToken ct) =>
        posts.CreateAsync(viewer, new CreatePostRequest(request.Text, null, groupId), PostKinds.Announcement, async (post, group) =>
        {
            if (!await access.CanManageAsync(viewer, group?.Id, ct))
                return Problem.Forbidden(group is null
                    ? "Only network admins make announcements to the whole company."
                    : "Only the group's admins make announcements in it.");
            var now = post.CreatedAt;
            var announcement = new Announcement { PostId = post.Id, GroupId = post.GroupId, PinnedAt = now, PinnedBy = viewer.Id };
            db.Add(announcement);
            // Every member hears of it: the first batch now, in this transaction; the rest from AnnouncementFanout.
            announcement.NotifyAfter = await fanout.NotifyBatchAsync(post, after: 0, now, ct);
            if (announcement.NotifyAfter is not null) fanout.Wake();
            return null;
        }, ct);

    public async Task<Outcome<bool>> PinAsync(Viewer viewer, string id, bool pin, CancellationToken ct)
    {
        var found = await access.FindAsync(viewer, id, PostKinds.Announcement, "The announcement", ct);
        if (!found.Ok) return found.Problem!;
        var post = found.Value!;
        if (!await access.CanManageAsync(viewer, post.GroupId, ct)) return Problem.Forbidden("Only the group's admins pin and unpin announcements.");
        var row = await db.Set<Announcement>().FirstAsync(a => a.PostId == post.Id, ct);
        if ((row.PinnedAt is not null) == pin) return pin;
        var now = clock.GetUtcNow().UtcDateTime;
        row.PinnedAt = pin ? now : null;
        row.PinnedBy = pin ? viewer.Id : null;
        access.Touch(viewer, post, now);
        await db.SaveChangesAsync(ct);
        return pin;
    }

    /// <summary>Idempotent: the first time counts, later calls change nothing.</summary>
    public async Task<Outcome<int>> MarkSeenAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var found = await access.FindAsync(viewer, id, PostKinds.Announcement, "The announcement", ct);
        if (!found.Ok) return found.Problem!;
        var postId = found.Value!.Id;
        if (!await db.Set<AnnouncementView>().AnyAsync(v => v.PostId == postId && v.PersonId == viewer.Id, ct))
        {
            db.Add(new AnnouncementView { PostId = postId, PersonId = viewer.Id, SeenAt = clock.GetUtcNow().UtcDateTime });
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { db.ChangeTracker.Clear(); /* seen twice at once: one row wins */ }
        }
        return await db.Set<AnnouncementView>().CountAsync(v => v.PostId == postId, ct);
    }

    /// <summary>Who saw it, first seen first: for its author and the people who manage its group.</summary>
    public async Task<Outcome<SeenByDto>> SeenByAsync(Viewer viewer, string id, CancellationToken ct)
    {
        var found = await access.FindAsync(viewer, id, PostKinds.Announcement, "The announcement", ct);
        if (!found.Ok) return found.Problem!;
        var post = found.Value!;
        if (post.AuthorId != viewer.Id && !await access.CanManageAsync(viewer, post.GroupId, ct))
            return Problem.Forbidden("Only the author and the group's admins see who has seen an announcement.");
        var views = db.Set<AnnouncementView>().AsNoTracking().Where(v => v.PostId == post.Id);
        var count = await views.CountAsync(ct);
        var ids = await views.OrderBy(v => v.SeenAt).ThenBy(v => v.PersonId).Select(v => v.PersonId).Take(MaxSeenListed).ToListAsync(ct);
        var summaries = await people.SummariesAsync(ids, ct);
        return new SeenByDto(count, ids.Where(summaries.ContainsKey).Select(i => summaries[i]).ToList());
    }

    /// <summary>The pinned announcements of a group (null: the all-company group) the viewer may see, most recently pinned first.</summary>
    public static Task<List<long>> PinnedIdsAsync(ChorusDb db, Viewer viewer, long? groupId, CancellationToken ct)
    {
        var pinned = db.Set<Announcement>().Where(a => a.PinnedAt != null);
        pinned = groupId is { } gid ? pinned.Where(a => a.GroupId == gid) : pinned.Where(a => a.GroupId == null);
        return (from a in pinned
                join p in db.Posts.VisibleTo(viewer) on a.PostId equals p.Id
                orderby a.PinnedAt descending
                select p.Id).Take(MaxPinned).ToListAsync(ct);
    }
}
