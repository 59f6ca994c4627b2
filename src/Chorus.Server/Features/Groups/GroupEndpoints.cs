using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Features.Groups;

public static class GroupEndpoints
{
    public static void MapGroupEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/groups").RequireAuthorization().WithTags("Groups");
        api.MapGet("", List).WithSummary("Groups you may see: ?q= filters by name, ?mine=true only yours");
        api.MapPost("", Create).RequiresWrite().WithSummary("Create a public, private or secret group; you become its owner");
        api.MapGet("/{id}", Get).WithSummary("A group and your relation to it (secret groups: 404 unless you are in or invited)");
        api.MapPatch("/{id}", Update).RequiresWrite().WithSummary("Change name, description or kind (group admins)");
        api.MapDelete("/{id}", Delete).RequiresWrite().WithSummary("Delete the group and its posts (owners, network admins)");
        api.MapGet("/{id}/feed", Feed).WithSummary("The group's posts, newest first, cursor-paged");
        api.MapGet("/{id}/members", Members).WithSummary("Members; ?state=invited|requested for admins");
        api.MapPost("/{id}/members", Add).RequiresWrite().WithSummary("Add people by handle (admins) or invite them (members)");
        api.MapPatch("/{id}/members/{handle}", UpdateMember).RequiresWrite().WithSummary("Change a role (admins) or your home-feed setting");
        api.MapDelete("/{id}/members/{handle}", Remove).RequiresWrite().WithSummary("Remove a member, cancel an invitation or decline a request");
        api.MapGet("/{id}/requests", Requests).WithSummary("Open join requests (admins)");
        api.MapPost("/{id}/requests/{handle}/approve", Approve).RequiresWrite().WithSummary("Approve a join request (admins)");
        api.MapPost("/{id}/requests/{handle}/decline", Decline).RequiresWrite().WithSummary("Decline a join request (admins)");
        api.MapPost("/{id}/join", Join).RequiresWrite().WithSummary("Join a public group, accept an invitation, or ask to join a private group");
        api.MapPost("/{id}/leave", Leave).RequiresWrite().WithSummary("Leave, withdraw your request or decline your invitation");
    }

    static async Task<Results<Ok<Page<GroupDto>>, ProblemHttpResult>> List(Viewer viewer, GroupService groups, string? q, bool? mine, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await groups.ListAsync(viewer, q, mine ?? false, cursor, limit, ct);
        if (!page.Ok) return page.Problem!.ToResult();
        return TypedResults.Ok(new Page<GroupDto>(await groups.RenderAsync(viewer, page.Value.Items, ct), page.Value.Next));
    }

    static async Task<Results<Created<GroupDto>, ProblemHttpResult>> Create(CreateGroupRequest request, Viewer viewer, GroupService groups, CancellationToken ct)
    {
        var created = await groups.CreateAsync(viewer, request, ct);
        if (!created.Ok) return created.Problem!.ToResult();
        var dto = await Describe(viewer, groups, created.Value!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        return TypedResults.Created(dto.Value!.Url, dto.Value);
    }

    static async Task<Results<Ok<GroupDto>, ProblemHttpResult>> Get(string id, Viewer viewer, GroupService groups, CancellationToken ct)
    {
        var dto = await Describe(viewer, groups, id, ct);
        return dto.Ok ? TypedResults.Ok(dto.Value!) : dto.Problem!.ToResult();
    }

    static async Task<Results<Ok<GroupDto>, ProblemHttpResult>> Update(string id, UpdateGroupRequest request, Viewer viewer, GroupService groups, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var updated = await groups.UpdateAsync(viewer, context.Value!, request, ct);
        if (!updated.Ok) return updated.Problem!.ToResult();
        return TypedResults.Ok((await Describe(viewer, groups, id, ct)).Value!);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, Viewer viewer, GroupService groups, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var deleted = await groups.DeleteAsync(viewer, context.Value!, ct);
        return deleted.Ok ? TypedResults.NoContent() : deleted.Problem!.ToResult();
    }

    static async Task<Results<OkJson<Page<PostDto>>, ProblemHttpResult>> Feed(string id, Viewer viewer, GroupService groups, FeedService feeds, string? cursor, int? limit, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var (group, mine) = context.Value!;
        if (!GroupAccess.CanRead(viewer, group, mine)) return Problem.Forbidden("Only the group's members can read it; ask to join.").ToResult();
        var page = await feeds.GroupAsync(viewer, group, cursor, limit, ct);
        return page.Ok ? new OkJson<Page<PostDto>>(page.Value!) : page.Problem!.ToResult();
    }

    static Task<Results<Ok<Page<MemberDto>>, ProblemHttpResult>> Members(string id, Viewer viewer, GroupService groups, MembershipService members, string? state, string? cursor, int? limit, CancellationToken ct) =>
        ListMembers(id, viewer, groups, members, state, cursor, limit, ct);

    static Task<Results<Ok<Page<MemberDto>>, ProblemHttpResult>> Requests(string id, Viewer viewer, GroupService groups, MembershipService members, string? cursor, int? limit, CancellationToken ct) =>
        ListMembers(id, viewer, groups, members, "requested", cursor, limit, ct);

    static async Task<Results<Ok<Page<MemberDto>>, ProblemHttpResult>> ListMembers(string id, Viewer viewer, GroupService groups, MembershipService members, string? state, string? cursor, int? limit, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var page = await members.ListAsync(viewer, context.Value!, state, cursor, limit, ct);
        return page.Ok ? TypedResults.Ok(new Page<MemberDto>(page.Value.Items, page.Value.Next)) : page.Problem!.ToResult();
    }

    static async Task<Results<Ok<AddMembersResult>, ProblemHttpResult>> Add(string id, AddMembersRequest request, Viewer viewer, GroupService groups, MembershipService members, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var added = await members.AddAsync(viewer, context.Value!, request, ct);
        return added.Ok ? TypedResults.Ok(added.Value!) : added.Problem!.ToResult();
    }

    static async Task<Results<Ok<MemberDto>, ProblemHttpResult>> UpdateMember(string id, string handle, UpdateMemberRequest request, Viewer viewer, GroupService groups, MembershipService members, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var updated = await members.UpdateAsync(viewer, context.Value!, handle, request, ct);
        if (!updated.Ok) return updated.Problem!.ToResult();
        return TypedResults.Ok((await members.RenderAsync([updated.Value!], ct))[0]);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Remove(string id, string handle, Viewer viewer, GroupService groups, MembershipService members, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var removed = await members.RemoveAsync(viewer, context.Value!, handle, ct);
        return removed.Ok ? TypedResults.NoContent() : removed.Problem!.ToResult();
    }

    static async Task<Results<Ok<MemberDto>, ProblemHttpResult>> Approve(string id, string handle, Viewer viewer, GroupService groups, MembershipService members, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var approved = await members.ApproveAsync(viewer, context.Value!, handle, ct);
        if (!approved.Ok) return approved.Problem!.ToResult();
        return TypedResults.Ok((await members.RenderAsync([approved.Value!], ct))[0]);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Decline(string id, string handle, Viewer viewer, GroupService groups, MembershipService members, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var declined = await members.DeclineAsync(viewer, context.Value!, handle, ct);
        return declined.Ok ? TypedResults.NoContent() : declined.Problem!.ToResult();
    }

    static async Task<Results<Ok<GroupDto>, ProblemHttpResult>> Join(string id, Viewer viewer, GroupService groups, MembershipService members, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var joined = await members.JoinAsync(viewer, context.Value!, ct);
        if (!joined.Ok) return joined.Problem!.ToResult();
        return TypedResults.Ok((await Describe(viewer, groups, id, ct)).Value!);
    }

    static async Task<Results<Ok<GroupDto>, ProblemHttpResult>> Leave(string id, Viewer viewer, GroupService groups, MembershipService members, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var left = await members.LeaveAsync(viewer, context.Value!, ct);
        if (!left.Ok) return left.Problem!.ToResult();
        var after = await Describe(viewer, groups, id, ct);
        // Leaving a secret group makes it unfindable: the answer is then what a stranger sees.
        return after.Ok ? TypedResults.Ok(after.Value!) : after.Problem!.ToResult();
    }

    static async Task<Outcome<GroupDto>> Describe(Viewer viewer, GroupService groups, string id, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!;
        return (await groups.RenderAsync(viewer, [context.Value!], ct))[0];
    }
}
