using Chorus.Server.Features.Groups;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups;

/// <summary>Who is in a group; for its admins also adding people, answering requests, changing roles and removing.</summary>
public sealed class MembersModel(GroupService groups, MembershipService members) : ChorusPageModel
{
    public GroupDto Group { get; private set; } = null!;
    public IReadOnlyList<MemberDto> Members { get; private set; } = [];
    public IReadOnlyList<MemberDto> Requests { get; private set; } = [];
    public IReadOnlyList<MemberDto> Invited { get; private set; } = [];
    public string? Handles { get; private set; }
    public string? Notice { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct) => await LoadAsync(id, ct) switch
    {
        null => NotFound(),
        false => Forbid(),
        _ => Page(),
    };

    /// <summary>"add" (admins: members at once) or "invite" (the person accepts); members of the group can only invite.</summary>
    public Task<IActionResult> OnPostAddAsync(string id, string? handles, string? role, string? mode, CancellationToken ct) =>
        ActAsync(id, async context =>
        {
            var list = (handles ?? "").Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var added = await members.AddAsync(Viewer, context, new AddMembersRequest(list, role, mode == "invite"), ct);
            if (added.Ok && added.Value!.NotFound.Count > 0) Notice = "Nobody has the handle " + string.Join(", ", added.Value.NotFound) + ".";
            if (!added.Ok) Handles = handles;
            return added.Problem;
        }, ct);

    public Task<IActionResult> OnPostApproveAsync(string id, string handle, CancellationToken ct) =>
        ActAsync(id, async context => (await members.ApproveAsync(Viewer, context, handle, ct)).Problem, ct);

    public Task<IActionResult> OnPostDeclineAsync(string id, string handle, CancellationToken ct) =>
        ActAsync(id, async context => (await members.DeclineAsync(Viewer, context, handle, ct)).Problem, ct);

    public Task<IActionResult> OnPostRemoveAsync(string id, string handle, CancellationToken ct) =>
        ActAsync(id, async context => (await members.RemoveAsync(Viewer, context, handle, ct)).Problem, ct);

    public Task<IActionResult> OnPostRoleAsync(string id, string handle, string? role, CancellationToken ct) =>
        ActAsync(id, async context => (await members.UpdateAsync(Viewer, context, handle, new UpdateMemberRequest(role), ct)).Problem, ct);

    async Task<IActionResult> ActAsync(string id, Func<GroupContext, Task<Problem?>> act, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return NotFound();
        var problem = await act(context.Value!);
        if (problem is null && Notice is null) return LocalRedirect($"/groups/{id}/members");
        if (await LoadAsync(id, ct) is not true) return LocalRedirect("/groups");
        if (problem is not null)
        {
            Show(problem);
            Response.StatusCode = problem.Status;
        }
        return Page();
    }

    /// <summary>Null: no such group for this viewer; false: they may not see its members.</summary>
    async Task<bool?> LoadAsync(string id, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return null;
        Group = (await groups.RenderAsync(Viewer, [context.Value!], ct))[0];
        var list = await members.ListAsync(Viewer, context.Value!, "member", null, MembershipService.MaxLimit, ct);
        if (!list.Ok) return false;
        Members = list.Value.Items;
        if (Group.CanManage)
        {
            Requests = (await members.ListAsync(Viewer, context.Value!, "requested", null, MembershipService.MaxLimit, ct)).Value.Items ?? [];
            Invited = (await members.ListAsync(Viewer, context.Value!, "invited", null, MembershipService.MaxLimit, ct)).Value.Items ?? [];
        }
        return true;
    }
}
