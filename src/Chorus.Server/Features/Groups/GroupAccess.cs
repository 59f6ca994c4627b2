using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Posts;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Groups;

/// <summary>Who may do what with a group. Reading a group's posts is decided by PostVisibility; this covers the group itself.</summary>
public static class GroupAccess
{
    /// <summary>The groups a person is a member of: what <see cref="Viewer.Groups"/> holds.</summary>
    public static async Task<long[]> MemberGroupsAsync(ChorusDb db, long personId, CancellationToken ct) =>
        [.. await db.GroupMembers.AsNoTracking()
            .Where(m => m.PersonId == personId && m.State == MembershipState.Member)
            .OrderBy(m => m.GroupId).Select(m => m.GroupId).ToListAsync(ct)];

    /// <summary>
    /// Whether the viewer may know the group exists: public and company groups for members of the organization;
    /// private groups for them too (listed); secret groups only for their members and the people invited into them.
    /// Guests know only their own groups (and those they are invited into).
    /// </summary>
    public static bool CanFind(Viewer viewer, Group group, GroupMember? mine)
    {
        if (group.DeletedAt is not null) return false;
        if (mine is not null && mine.State is MembershipState.Member or MembershipState.Invited) return true;
        if (viewer.IsGuest) return false;
        return group.Kind != GroupKind.Secret;
    }

    /// <summary>
    /// Whether the viewer may read the group's content (feed, members, pages, files). Not a rule of its own: it asks
    /// <see cref="PostVisibility"/> about a post in the group, with the viewer's membership as it is now.
    /// </summary>
    public static bool CanRead(Viewer viewer, Group group, GroupMember? mine)
    {
        if (group.DeletedAt is not null) return false;
        var reader = viewer with { Groups = mine is { State: MembershipState.Member } ? [group.Id] : [] };
        return reader.CanSee(PostVisibility.AudienceOf(group));
    }

    /// <summary>Group admins and owners manage a group; network admins manage the all-company group and may moderate any group they can find.</summary>
    public static bool CanManage(Viewer viewer, Group group, GroupMember? mine)
    {
        if (group.Kind == GroupKind.Company) return viewer.IsAdmin;
        return mine is { State: MembershipState.Member, Role: GroupRole.Admin or GroupRole.Owner };
    }

    public static bool IsMember(Viewer viewer, Group group, GroupMember? mine) =>
        group.Kind == GroupKind.Company ? !viewer.IsGuest : mine is { State: MembershipState.Member };
}
