using Chorus.Server.Features.Groups;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups;

/// <summary>The group directory: your groups, invitations waiting for you, every group you may see, and a form to start one.</summary>
public sealed class IndexModel(GroupService groups) : ChorusPageModel
{
    public IReadOnlyList<GroupDto> Mine { get; private set; } = [];
    public IReadOnlyList<GroupDto> Invitations { get; private set; } = [];
    public IReadOnlyList<GroupDto> Others { get; private set; } = [];
    public string? Query { get; private set; }
    public string? Name { get; private set; }
    public string? Description { get; private set; }
    public string Kind { get; private set; } = "public";

    public async Task<IActionResult> OnGetAsync(string? q, CancellationToken ct)
    {
        await LoadAsync(q, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? description, string? kind, CancellationToken ct)
    {
        var created = await groups.CreateAsync(Viewer, new CreateGroupRequest(name, description, kind), ct);
        if (created.Ok) return LocalRedirect($"/groups/{created.Value!.Id}");
        Show(created.Problem!);
        (Name, Description, Kind) = (name, description, kind ?? "public");
        Response.StatusCode = created.Problem!.Status;
        await LoadAsync(null, ct);
        return Page();
    }

    async Task LoadAsync(string? q, CancellationToken ct)
    {
        Query = q;
        var list = await groups.ListAsync(Viewer, q, mineOnly: false, null, GroupService.MaxLimit, ct);
        if (!list.Ok) return;
        var all = await groups.RenderAsync(Viewer, list.Value.Items, ct);
        Mine = all.Where(g => g.MyState == "member").ToList();
        Invitations = all.Where(g => g.MyState == "invited").ToList();
        Others = all.Where(g => g.MyState is null or "requested").ToList();
    }
}
