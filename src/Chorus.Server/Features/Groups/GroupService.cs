using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Groups;

/// <summary>A group and the viewer's relation to it, as loaded for one request.</summary>
public sealed record GroupContext(Group Group, GroupMember? Mine);

/// <summary>Creating, listing, describing, changing and deleting groups. Membership lives in <see cref="MembershipService"/>.</summary>
public sealed class GroupService(ChorusDb db, IdGenerator ids, TimeProvider clock)
{
    public const int DefaultLimit = 50, MaxLimit = 200;

    /// <summary>
    /// The group if the viewer may know it exists; otherwise 404, the same answer as for a group that does not exist,
    /// so secret groups are never revealed.
    /// </summary>
    public async Task<Outcome<GroupContext>> FindAsync(Viewer viewer, string id, CancellationToken ct)
    {
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gid))
            return Problem.NotFound("The group");
        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == gid, ct);
        if (group is null) return Problem.NotFound("The group");
        var mine = await db.GroupMembers.AsNoTracking().FirstOrDefaultAsync(m => m.GroupId == gid && m.PersonId == viewer.Id, ct);
        if (!GroupAccess.CanFind(viewer, group, mine)) return Problem.NotFound("The group");
        return new GroupContext(group, mine);
    }

    public async Task<Outcome<Group>> CreateAsync(Viewer viewer, CreateGroupRequest request, CancellationToken ct)
    {
        if (viewer.IsGuest) return Problem.Forbidden("Guests cannot create groups.");
        var name = GroupRules.Name(request.Name);
        if (!name.Ok) return name.Problem!;
        var description = GroupRules.Description(request.Description);
        if (!description.Ok) return description.Problem!;
        var kind = GroupRules.Kind(request.Kind, GroupKind.Public);
        if (!kind.Ok) return kind.Problem!;
        var key = GroupRules.NameKey(name.Value!);
        if (await db.Groups.AnyAsync(g => g.NameKey == key && g.DeletedAt == null, ct))
            return Problem.Conflict("name-taken", $"A group named '{name.Value}' already exists.");

        var now = clock.GetUtcNow().UtcDateTime;
        var group = new Group
        {
            Id = ids.Next(), Name = name.Value!, NameKey = key, Description = description.Value ?? "", Kind = kind.Value,
            CreatedBy = viewer.Id, CreatedAt = now,
        };
        db.Groups.Add(group);
        db.GroupMembers.Add(new GroupMember
        {
            GroupId = group.Id, PersonId = viewer.Id, State = MembershipState.Member, Role = GroupRole.Owner, CreatedAt = now, JoinedAt = now,
        });
        db.Events.Add(MembershipService.Event(viewer.Id, viewer.Id, group.Id, "owner", now));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return Problem.Conflict("name-taken", $"A group named '{name.Value}' already exists.");
        }
        return group;
    }

    /// <summary>
    /// The groups the viewer may see: for members of the organization the all-company group, every public and private
    /// group, and the secret groups they belong to or are invited into; for guests only their own groups.
    /// </summary>
    public async Task<Outcome<(List<GroupContext> Items, string? Next)>> ListAsync(Viewer viewer, string? q, bool mineOnly, string? cursor, int? limit, CancellationToken ct)
    {
        var n = limit ?? DefaultLimit;
        if (n is < 1 or > MaxLimit) return Problem.BadRequest("limit", $"must be between 1 and {MaxLimit}.");
        var skip = 0;
        if (cursor is not null && (!int.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out skip) || skip < 0))
            return Problem.BadRequest("cursor", "is not a cursor this server issued.");
        var me = viewer.Id;
        var related = db.GroupMembers.Where(m => m.PersonId == me && m.State != MembershipState.Requested).Select(m => m.GroupId);
        var query = db.Groups.AsNoTracking().Where(g => g.DeletedAt == null);
        if (viewer.IsGuest || mineOnly)
            query = query.Where(g => related.Contains(g.Id) || (!viewer.IsGuest && g.Kind == GroupKind.Company));
        else
            query = query.Where(g => g.Kind != GroupKind.Secret || related.Contains(g.Id));
        if (!string.IsNullOrWhiteSpace(q))
        {
            var needle = q.Trim().ToLowerInvariant();
            if (needle.Length > GroupRules.MaxName) return Problem.BadRequest("q", $"must be at most {GroupRules.MaxName} characters.");
            query = query.Where(g => g.NameKey.Contains(needle));
        }
        var page = await query.OrderBy(g => g.Kind == GroupKind.Company ? 0 : 1).ThenBy(g => g.NameKey).Skip(skip).Take(n + 1).ToListAsync(ct);
        var gids = page.Select(g => g.Id).ToList();
        var mine = await db.GroupMembers.AsNoTracking().Where(m => m.PersonId == me && gids.Contains(m.GroupId)).ToDictionaryAsync(m => m.GroupId, ct);
        var items = page.Take(n).Select(g => new GroupContext(g, mine.GetValueOrDefault(g.Id))).ToList();
        return (items, page.Count > n ? (skip + n).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    public async Task<Outcome<Group>> UpdateAsync(Viewer viewer, GroupContext context, UpdateGroupRequest request, CancellationToken ct)
    {
        var (found, mine) = context;
        if (!GroupAccess.CanManage(viewer, found, mine)) return Problem.Forbidden("Only the group's admins can change it.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var group = await db.Groups.FirstAsync(g => g.Id == found.Id, ct);
        if (request.Name is not null)
        {
            var name = GroupRules.Name(request.Name);
            if (!name.Ok) return name.Problem!;
            var key = GroupRules.NameKey(name.Value!);
            if (key != group.NameKey && await db.Groups.AnyAsync(g => g.NameKey == key && g.DeletedAt == null, ct))
                return Problem.Conflict("name-taken", $"A group named '{name.Value}' already exists.");
            group.Name = name.Value!;
            group.NameKey = key;
        }
        if (request.Description is not null)
        {
            var description = GroupRules.Description(request.Description);
            if (!description.Ok) return description.Problem!;
            group.Description = description.Value ?? "";
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (request.Kind is not null)
        {
            if (group.Kind == GroupKind.Company) return Problem.Invalid("kind", "The all-company group's kind cannot change.");
            var kind = GroupRules.Kind(request.Kind, group.Kind);
            if (!kind.Ok) return kind.Problem!;
            if (kind.Value != group.Kind)
            {
                group.Kind = kind.Value;
                // The audience is stored on every post (see PostVisibility); it changes with the group, in this
                // transaction. The group row first: a post committing meanwhile reads it FOR SHARE and so either
                // commits before the posts below are updated or waits and takes the new audience (PostAudience).
                var newKind = kind.Value;
                var gid = group.Id;
                await db.Groups.Where(g => g.Id == gid).ExecuteUpdateAsync(s => s.SetProperty(g => g.Kind, newKind), ct);
                var membersOnly = group.MembersOnly;
                await db.Posts.Where(p => p.GroupId == group.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.MembersOnly, membersOnly), ct);
            }
        }
        group.UpdatedAt = now;
        db.Events.Add(Updated(viewer.Id, group.Id, now));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return Problem.Conflict("name-taken", $"A group named '{request.Name}' already exists.");
        }
        await tx.CommitAsync(ct);
        return group;
    }

    /// <summary>Deleting a group deletes its posts and memberships with it; its owners and network admins may do it.</summary>
    public async Task<Outcome<bool>> DeleteAsync(Viewer viewer, GroupContext context, CancellationToken ct)
    {
        var (group, mine) = context;
        if (group.Kind == GroupKind.Company) return Problem.Conflict("company-group", "The all-company group cannot be deleted.");
        if (mine is not { State: MembershipState.Member, Role: GroupRole.Owner } && !viewer.IsAdmin)
            return Problem.Forbidden("Only the group's owners can delete it.");
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var gid = group.Id;
        await db.Groups.Where(g => g.Id == gid).ExecuteUpdateAsync(s => s.SetProperty(g => g.DeletedAt, now), ct);
        await db.Posts.Where(p => p.GroupId == gid && p.DeletedAt == null).ExecuteUpdateAsync(s => s.SetProperty(p => p.DeletedAt, now), ct);
        var members = await db.GroupMembers.Where(m => m.GroupId == gid).Select(m => m.PersonId).ToListAsync(ct);
        await db.GroupMembers.Where(m => m.GroupId == gid).ExecuteDeleteAsync(ct);
        foreach (var person in members) db.Events.Add(MembershipService.Event(viewer.Id, person, gid, "none", now));
        db.Events.Add(Updated(viewer.Id, gid, now));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// A group's name, kind, audience or existence changed: every node's read caches forget the group's card and its
    /// posts (whose audience or deletion changed with it). Not delivered on streams.
    /// </summary>
    static ChangeEvent Updated(long actorId, long groupId, DateTime now) =>
        new() { Kind = "group.updated", ActorId = actorId, Data = groupId.ToString(System.Globalization.CultureInfo.InvariantCulture), CreatedAt = now };

    /// <summary>Renders groups for one viewer with member counts in one query.</summary>
    public async Task<List<GroupDto>> RenderAsync(Viewer viewer, IReadOnlyList<GroupContext> groups, CancellationToken ct)
    {
        var gids = groups.Select(g => g.Group.Id).ToList();
        var counts = await db.GroupMembers.Where(m => gids.Contains(m.GroupId) && m.State == MembershipState.Member)
            .GroupBy(m => m.GroupId).Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        var everyone = groups.Any(g => g.Group.Kind == GroupKind.Company)
            ? await db.People.CountAsync(p => p.DeactivatedAt == null && p.Role != PersonRole.Guest, ct) : 0;
        return groups.Select(c =>
        {
            var (g, mine) = c;
            var company = g.Kind == GroupKind.Company;
            var member = GroupAccess.IsMember(viewer, g, mine);
            return new GroupDto(
                g.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), g.Name, g.Description, GroupRules.KindName(g.Kind),
                company ? everyone : counts.GetValueOrDefault(g.Id), g.CreatedAt, $"/groups/{g.Id}",
                company ? (member ? "member" : null) : mine is null ? null : GroupRules.StateName(mine.State),
                company ? (viewer.IsAdmin ? "admin" : member ? "member" : null) : mine is { State: MembershipState.Member } ? GroupRules.RoleName(mine.Role) : null,
                company || (mine?.ShowInHome ?? false), GroupAccess.CanManage(viewer, g, mine), member, GroupAccess.CanRead(viewer, g, mine));
        }).ToList();
    }
}
