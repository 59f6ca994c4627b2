using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>
/// What every post-type action starts with: the post, found through the visibility rule (a post you cannot see is a
/// 404 on every surface), of the right kind; and who manages the place it lives in.
/// </summary>
public sealed class PostTypeAccess(ChorusDb db)
{
    public async Task<Outcome<Post>> FindAsync(Viewer viewer, string id, string kind, string what, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return parsed.Problem!;
        var post = await db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == parsed.Value, ct);
        if (post is null || post.Kind != kind || post.ReplyToId is not null) return Problem.NotFound(what);
        return post;
    }

    /// <summary>Group admins manage a group's posts; network admins the all-company group's (GroupAccess.CanManage).</summary>
    public async Task<bool> CanManageAsync(Viewer viewer, long? groupId, CancellationToken ct)
    {
        if (groupId is not { } gid) return viewer.IsAdmin && !viewer.IsGuest;
        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == gid, ct);
        if (group is null) return false;
        var mine = await db.GroupMembers.AsNoTracking().FirstOrDefaultAsync(m => m.GroupId == gid && m.PersonId == viewer.Id, ct);
        return GroupAccess.CanManage(viewer, group, mine);
    }

    /// <summary>Records that the post's card changed (votes, RSVPs, a best answer, a pin), so open streams refresh it.</summary>
    public void Touch(Viewer viewer, Post post, DateTime now) =>
        db.Events.Add(new ChangeEvent { Kind = "post.updated", ActorId = viewer.Id, PostId = post.Id, CreatedAt = now });

}
