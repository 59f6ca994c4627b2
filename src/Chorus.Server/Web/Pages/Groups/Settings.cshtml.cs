using Chorus.Server.Features.Groups;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups;

/// <summary>
/// A group's settings for the people who manage it: name, description and kind, and (owners, network admins)
/// deleting it after typing its name. Everyone else gets what the other group pages give them: 404 when they may
/// not know the group, 403 when they may know it but not manage it. GroupService decides every change.
/// </summary>
public sealed class SettingsModel(GroupService groups) : ChorusPageModel
{
    public GroupDto Group { get; private set; } = null!;
    public string Name { get; private set; } = "";
    public string Description { get; private set; } = "";
    public string Kind { get; private set; } = "public";
    /// <summary>The delete step is open: the viewer asked to delete and is asked to confirm.</summary>
    public bool ConfirmingDelete { get; private set; }
    public string? ConfirmName { get; private set; }
    public string? Notice { get; private set; }
    /// <summary>Whether the last form posted was the delete confirmation, so its error shows there.</summary>
    public bool DeleteFailed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, bool saved, string? step, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refused) return refused;
        if (saved) Notice = "Saved.";
        ConfirmingDelete = step == "delete";
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string id, string? name, string? description, string? kind, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return NotFound();
        // The all-company group's kind is fixed and its form has no kind field: null leaves the kind as it is.
        var updated = await groups.UpdateAsync(Viewer, context.Value!, new UpdateGroupRequest(name ?? "", description ?? "", kind), ct);
        if (updated.Ok) return LocalRedirect($"/groups/{id}/settings?saved=true");
        if (await LoadAsync(id, ct) is { } refused) return refused;
        (Name, Description, Kind) = (name ?? "", description ?? "", kind ?? Kind);
        Show(updated.Problem!);
        Response.StatusCode = updated.Problem!.Status;
        return Page();
    }

    /// <summary>Deleting takes typing the group's name: a button alone is too easy to press on the wrong group.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(string id, string? confirmName, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return NotFound();
        Problem? problem;
        if (!string.Equals(confirmName?.Trim(), context.Value!.Group.Name, StringComparison.Ordinal))
            problem = Problem.Invalid("confirmName", "Type the group's name exactly as shown to delete it.");
        else
        {
            var deleted = await groups.DeleteAsync(Viewer, context.Value!, ct);
            if (deleted.Ok) return LocalRedirect("/groups");
            problem = deleted.Problem!;
        }
        if (await LoadAsync(id, ct) is { } refused) return refused;
        (ConfirmingDelete, ConfirmName, DeleteFailed) = (true, confirmName, true);
        Show(problem);
        Response.StatusCode = problem.Status;
        return Page();
    }

    /// <summary>Null when the viewer may manage the group; otherwise the answer to give.</summary>
    async Task<IActionResult?> LoadAsync(string id, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return NotFound();
        Group = (await groups.RenderAsync(Viewer, [context.Value!], ct))[0];
        if (!Group.CanManage) return Forbid();
        (Name, Description, Kind) = (Group.Name, Group.Description, Group.Kind);
        return null;
    }
}
