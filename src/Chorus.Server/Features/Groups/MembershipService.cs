using System.Globalization;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Groups;

/// <summary>
/// Joining, leaving, inviting, adding, removing, approving requests and changing roles. Every change records a
/// <c>group.membership</c> event in its transaction: open streams of the person re-read their groups from it, so a
/// removed member stops receiving the group's events at once.
/// </summary>
public sealed class MembershipService(ChorusDb db, TimeProvider clock, PersonRenderer people)
{
    public const int DefaultLimit = 50, MaxLimit = 200;

    public static ChangeEvent Event(long actorId, long personId, long groupId, string state, DateTime now) => new()
    {
        Kind = "group.membership", ActorId = actorId, PersonId = personId, CreatedAt = now,
        Data = $"{{\"groupId\":\"{groupId.ToString(CultureInfo.InvariantCulture)}\",\"state\":\"{state}\"}}",
    };

    /// <summary>Public: you are in. Private: a request for the admins. Invited: you accept. Secret without invitation: not found.</summary>
    public async Task<Outcome<GroupMember>> JoinAsync(Viewer viewer, GroupContext context, CancellationToken ct)
    {
        var (group, mine) = context;
        if (group.Kind == GroupKind.Company)
            return viewer.IsGuest ? Problem.NotFound("The group") : Problem.Conflict("already-member", "Everyone in the organization belongs to the all-company group.");
        if (mine is { State: MembershipState.Member } || mine is { State: MembershipState.Requested }) return mine;
        var now = clock.GetUtcNow().UtcDateTime;
        if (mine is { State: MembershipState.Invited })
        {
            var row = await db.GroupMembers.FirstAsync(m => m.GroupId == group.Id && m.PersonId == viewer.Id, ct);
            row.State = MembershipState.Member;
            row.JoinedAt = now;
            db.Events.Add(Event(viewer.Id, viewer.Id, group.Id, "member", now));
            await db.SaveChangesAsync(ct);
            return row;
        }
        if (viewer.IsGuest || group.Kind == GroupKind.Secret) return Problem.NotFound("The group");
        var joined = new GroupMember
        {
            GroupId = group.Id, PersonId = viewer.Id, CreatedAt = now,
            State = group.Kind == GroupKind.Public ? MembershipState.Member : MembershipState.Requested,
            JoinedAt = group.Kind == GroupKind.Public ? now : null,
        };
        db.GroupMembers.Add(joined);
        db.Events.Add(Event(viewer.Id, viewer.Id, group.Id, GroupRules.StateName(joined.State), now));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.ChangeTracker.Clear(); /* a second join at the same moment: the first row stands */ }
        return joined;
    }

    /// <summary>Leaving also withdraws a request or declines an invitation. The last owner must hand over first.</summary>
    public Task<Outcome<bool>> LeaveAsync(Viewer viewer, GroupContext context, CancellationToken ct)
    {
        if (context.Group.Kind == GroupKind.Company)
            return Task.FromResult<Outcome<bool>>(Problem.Conflict("company-group", "Nobody leaves the all-company group; an admin deactivates accounts."));
        return RemoveAsync(viewer, context.Group, viewer.Id, ct);
    }

    /// <summary>
    /// Group admins add people as members at once (or approve their request), or invite them (<c>invite: true</c>);
    /// other members of public and private groups invite them. The invited person accepts by joining or declines by
    /// leaving. Guests are added or invited only by group admins.
    /// </summary>
    public async Task<Outcome<AddMembersResult>> AddAsync(Viewer viewer, GroupContext context, AddMembersRequest request, CancellationToken ct)
    {
        var (group, mine) = context;
        if (group.Kind == GroupKind.Company) return Problem.Conflict("company-group", "Everyone in the organization already belongs to the all-company group.");
        var manager = GroupAccess.CanManage(viewer, group, mine);
        var member = GroupAccess.IsMember(viewer, group, mine);
        if (!manager && (!member || group.Kind == GroupKind.Secret || viewer.IsGuest))
            return Problem.Forbidden("Only the group's admins can add people to it.");
        if (request.Handles is not { Count: > 0 } handles) return Problem.Invalid("handles", "must name at least one person.");
        if (handles.Count > GroupRules.MaxInvitesPerRequest) return Problem.Invalid("handles", $"may name at most {GroupRules.MaxInvitesPerRequest} people at once.");
        var role = GroupRole.Member;
        if (request.Role is not null)
        {
            var parsed = GroupRules.Role(request.Role);
            if (!parsed.Ok) return parsed.Problem!;
            if (parsed.Value != GroupRole.Member && !manager) return Problem.Forbidden("Only the group's admins can add admins.");
            if (parsed.Value == GroupRole.Owner && mine?.Role != GroupRole.Owner) return Problem.Forbidden("Only owners can add owners.");
            role = parsed.Value;
        }
        var keys = handles.Select(h => (h ?? "").Trim().TrimStart('@').ToLowerInvariant()).Distinct().ToList();
        var found = await db.People.AsNoTracking().Where(p => keys.Contains(p.HandleKey) && p.DeactivatedAt == null).ToListAsync(ct);
        var notFound = keys.Except(found.Select(p => p.HandleKey)).ToList();
        if (!manager && found.Any(p => p.Role == PersonRole.Guest)) return Problem.Forbidden("Only the group's admins can add guests.");

        var ids = found.Select(p => p.Id).ToList();
        var existing = await db.GroupMembers.Where(m => m.GroupId == group.Id && ids.Contains(m.PersonId)).ToDictionaryAsync(m => m.PersonId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var person in found)
        {
            existing.TryGetValue(person.Id, out var row);
            if (row is { State: MembershipState.Member }) continue;
            var state = manager && request.Invite != true ? MembershipState.Member : MembershipState.Invited;
            if (row is null)
            {
                row = new GroupMember { GroupId = group.Id, PersonId = person.Id, CreatedAt = now, InvitedBy = viewer.Id };
                db.GroupMembers.Add(row);
                existing[person.Id] = row;
            }
            // A member's invitation of someone who asked to join is not an approval: that stays with the admins. An
            // admin's invitation of someone who asked is as good as an approval.
            if (!manager && row.State == MembershipState.Requested) continue;
            if (row.State == MembershipState.Requested) state = MembershipState.Member;
            row.State = state;
            row.Role = state == MembershipState.Member ? role : GroupRole.Member;
            row.JoinedAt = state == MembershipState.Member ? now : null;
            db.Events.Add(Event(viewer.Id, person.Id, group.Id, GroupRules.StateName(state), now));
        }
        await db.SaveChangesAsync(ct);
        var rows = found.Select(p => existing[p.Id]).ToList();
        return new AddMembersResult(await RenderAsync(rows, ct), notFound);
    }

    /// <summary>Removes a member, cancels an invitation or declines a request. Admins remove others; anyone removes themself.</summary>
    public async Task<Outcome<bool>> RemoveAsync(Viewer viewer, GroupContext context, string handle, CancellationToken ct)
    {
        var (group, mine) = context;
        if (group.Kind == GroupKind.Company) return Problem.Conflict("company-group", "Nobody is removed from the all-company group; an admin deactivates accounts.");
        var person = await FindPersonAsync(handle, ct);
        if (person is null) return Problem.NotFound("The person");
        if (person.Id != viewer.Id && !GroupAccess.CanManage(viewer, group, mine)) return Problem.Forbidden("Only the group's admins can remove people.");
        return await RemoveAsync(viewer, group, person.Id, ct);
    }

    async Task<Outcome<bool>> RemoveAsync(Viewer viewer, Group group, long personId, CancellationToken ct)
    {
        var row = await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == group.Id && m.PersonId == personId, ct);
        if (row is null) return Problem.NotFound("The membership");
        if (await IsLastOwnerAsync(row, ct)) return Problem.Conflict("last-owner", "The group's last owner cannot leave; make someone else an owner first.");
        db.GroupMembers.Remove(row);
        db.Events.Add(Event(viewer.Id, personId, group.Id, "none", clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Admins change roles (owners make owners); each member switches the group in their own home feed.</summary>
    public async Task<Outcome<GroupMember>> UpdateAsync(Viewer viewer, GroupContext context, string handle, UpdateMemberRequest request, CancellationToken ct)
    {
        var (group, mine) = context;
        if (group.Kind == GroupKind.Company) return Problem.Conflict("company-group", "Roles in the all-company group are the organization's roles.");
        var person = await FindPersonAsync(handle, ct);
        if (person is null) return Problem.NotFound("The person");
        var row = await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == group.Id && m.PersonId == person.Id && m.State == MembershipState.Member, ct);
        if (row is null) return Problem.NotFound("The membership");
        var now = clock.GetUtcNow().UtcDateTime;
        if (request.ShowInHome is { } show)
        {
            if (person.Id != viewer.Id) return Problem.Forbidden("Only the member chooses what appears in their home feed.");
            row.ShowInHome = show;
            db.Events.Add(Event(viewer.Id, person.Id, group.Id, "member", now));
        }
        if (request.Role is not null)
        {
            var role = GroupRules.Role(request.Role);
            if (!role.Ok) return role.Problem!;
            if (!GroupAccess.CanManage(viewer, group, mine)) return Problem.Forbidden("Only the group's admins can change roles.");
            var owner = mine is { Role: GroupRole.Owner } || viewer.IsAdmin;
            if ((role.Value == GroupRole.Owner || row.Role == GroupRole.Owner) && !owner) return Problem.Forbidden("Only owners can make or unmake owners.");
            if (row.Role == GroupRole.Owner && role.Value != GroupRole.Owner && await IsLastOwnerAsync(row, ct))
                return Problem.Conflict("last-owner", "This is the group's last owner; make someone else an owner first.");
            row.Role = role.Value;
            db.Events.Add(Event(viewer.Id, person.Id, group.Id, "member", now));
        }
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>Approves a join request (admins).</summary>
    public async Task<Outcome<GroupMember>> ApproveAsync(Viewer viewer, GroupContext context, string handle, CancellationToken ct)
    {
        var (group, mine) = context;
        if (!GroupAccess.CanManage(viewer, group, mine)) return Problem.Forbidden("Only the group's admins can approve requests.");
        var person = await FindPersonAsync(handle, ct);
        if (person is null) return Problem.NotFound("The person");
        var row = await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == group.Id && m.PersonId == person.Id && m.State == MembershipState.Requested, ct);
        if (row is null) return Problem.NotFound("The request");
        var now = clock.GetUtcNow().UtcDateTime;
        row.State = MembershipState.Member;
        row.JoinedAt = now;
        db.Events.Add(Event(viewer.Id, person.Id, group.Id, "member", now));
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>Declines a join request (admins).</summary>
    public async Task<Outcome<bool>> DeclineAsync(Viewer viewer, GroupContext context, string handle, CancellationToken ct)
    {
        var (group, mine) = context;
        if (!GroupAccess.CanManage(viewer, group, mine)) return Problem.Forbidden("Only the group's admins can decline requests.");
        var person = await FindPersonAsync(handle, ct);
        if (person is null) return Problem.NotFound("The person");
        var row = await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == group.Id && m.PersonId == person.Id && m.State == MembershipState.Requested, ct);
        if (row is null) return Problem.NotFound("The request");
        db.GroupMembers.Remove(row);
        db.Events.Add(Event(viewer.Id, person.Id, group.Id, "none", clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Members (anyone who can read the group), or open invitations and requests (its admins). The all-company group
    /// lists nobody here: its members are the directory.
    /// </summary>
    public async Task<Outcome<(List<MemberDto> Items, string? Next)>> ListAsync(Viewer viewer, GroupContext context, string? state, string? cursor, int? limit, CancellationToken ct)
    {
        var (group, mine) = context;
        var wanted = state?.Trim().ToLowerInvariant() switch
        {
            null or "" or "member" => MembershipState.Member,
            "invited" => MembershipState.Invited,
            "requested" => MembershipState.Requested,
            _ => (MembershipState?)null,
        };
        if (wanted is null) return Problem.BadRequest("state", "must be 'member', 'invited' or 'requested'.");
        if (!GroupAccess.CanRead(viewer, group, mine)) return Problem.Forbidden("Only the group's members can see who belongs to it.");
        if (wanted != MembershipState.Member && !GroupAccess.CanManage(viewer, group, mine)) return Problem.Forbidden("Only the group's admins see invitations and requests.");
        if (group.Kind == GroupKind.Company) return Problem.Conflict("company-group", "The all-company group's members are the directory: GET /api/v1/people.");
        var n = limit ?? DefaultLimit;
        if (n is < 1 or > MaxLimit) return Problem.BadRequest("limit", $"must be between 1 and {MaxLimit}.");
        var after = 0L;
        if (cursor is not null && !long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            return Problem.BadRequest("cursor", "is not a cursor this server issued.");
        var rows = await db.GroupMembers.AsNoTracking()
            .Where(m => m.GroupId == group.Id && m.State == wanted && m.PersonId > after)
            .OrderBy(m => m.PersonId).Take(n + 1).ToListAsync(ct);
        var items = await RenderAsync(rows.Take(n).ToList(), ct);
        return (items, rows.Count > n ? rows[n - 1].PersonId.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>The group's owners and admins, owners first: who to ask about the group. Readers see them, as they see the members.</summary>
    public async Task<Outcome<List<MemberDto>>> ManagersAsync(Viewer viewer, GroupContext context, CancellationToken ct)
    {
        var (group, mine) = context;
        if (!GroupAccess.CanRead(viewer, group, mine)) return Problem.Forbidden("Only the group's members can see who belongs to it.");
        if (group.Kind == GroupKind.Company) return new List<MemberDto>();
        // A group has a handful of admins; the cap only keeps a pathological group from rendering thousands.
        var rows = await db.GroupMembers.AsNoTracking()
            .Where(m => m.GroupId == group.Id && m.State == MembershipState.Member && m.Role != GroupRole.Member)
            .OrderByDescending(m => m.Role == GroupRole.Owner).ThenBy(m => m.PersonId).Take(MaxLimit).ToListAsync(ct);
        return await RenderAsync(rows, ct);
    }

    public async Task<List<MemberDto>> RenderAsync(IReadOnlyList<GroupMember> rows, CancellationToken ct)
    {
        var summaries = await people.SummariesAsync(rows.Select(r => r.PersonId).Concat(rows.Where(r => r.InvitedBy is not null).Select(r => r.InvitedBy!.Value)), ct);
        var ids = rows.Select(r => r.PersonId).ToList();
        var guests = (await db.People.Where(p => ids.Contains(p.Id) && p.Role == PersonRole.Guest).Select(p => p.Id).ToListAsync(ct)).ToHashSet();
        return rows.Where(r => summaries.ContainsKey(r.PersonId)).Select(r => new MemberDto(
            summaries[r.PersonId], GroupRules.StateName(r.State), GroupRules.RoleName(r.Role), guests.Contains(r.PersonId),
            r.JoinedAt ?? r.CreatedAt, r.InvitedBy is { } by && summaries.TryGetValue(by, out var s) ? s.Handle : null)).ToList();
    }

    async Task<bool> IsLastOwnerAsync(GroupMember row, CancellationToken ct) =>
        row is { State: MembershipState.Member, Role: GroupRole.Owner } &&
        !await db.GroupMembers.AnyAsync(m => m.GroupId == row.GroupId && m.PersonId != row.PersonId && m.State == MembershipState.Member && m.Role == GroupRole.Owner, ct);

    Task<Person?> FindPersonAsync(string handle, CancellationToken ct)
    {
        var key = handle.Trim().TrimStart('@').ToLowerInvariant();
        return db.People.AsNoTracking().FirstOrDefaultAsync(p => p.HandleKey == key, ct);
    }
}
