using Chorus.Server.Features.People;

namespace Chorus.Server.Features.Groups;

public sealed record CreateGroupRequest(string? Name, string? Description, string? Kind);
public sealed record UpdateGroupRequest(string? Name, string? Description, string? Kind);

/// <param name="Handles">People to add (by a group admin) or invite (by a member of a public or private group).</param>
/// <param name="Role">The role the added people get: member (default) or admin. Only group admins add admins.</param>
/// <param name="Invite">True: invite even when an admin asks, so the person decides (accepts by joining, declines by leaving).</param>
public sealed record AddMembersRequest(IReadOnlyList<string>? Handles, string? Role = null, bool? Invite = null);

/// <param name="Role">A new role (group admins only).</param>
/// <param name="ShowInHome">Whether the group's posts appear in your home feed (only for yourself).</param>
public sealed record UpdateMemberRequest(string? Role = null, bool? ShowInHome = null);

/// <summary>A group as one viewer sees it, with that viewer's own relation to it.</summary>
public sealed record GroupDto(
    string Id, string Name, string Description, string Kind, int MemberCount, DateTime CreatedAt, string Url,
    string? MyState, string? MyRole, bool ShowInHome, bool CanManage, bool CanPost, bool CanRead);

public sealed record MemberDto(PersonSummary Person, string State, string Role, bool Guest, DateTime Since, string? InvitedBy);

/// <summary>The result of adding several people: who was added, who was invited, and who could not be.</summary>
public sealed record AddMembersResult(IReadOnlyList<MemberDto> Members, IReadOnlyList<string> NotFound);
