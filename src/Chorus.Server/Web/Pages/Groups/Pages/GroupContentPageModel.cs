using Chorus.Server.Features.GroupPages;
using Chorus.Server.Features.Groups;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

/// <summary>Base of the group pages, FAQ, articles and files screens: the group, read under the same rules as the API.</summary>
public abstract class GroupContentPageModel : ChorusPageModel
{
    public GroupContext Group { get; private set; } = null!;
    public string GroupId => GroupContent.Id(Group.Group.Id);
    public bool IsMember => GroupAccess.IsMember(Viewer, Group.Group, Group.Mine);
    public bool CanManage => GroupAccess.CanManage(Viewer, Group.Group, Group.Mine);

    /// <summary>Null when the group may be read; otherwise the answer to give (404 for groups you may not know of, 403 otherwise).</summary>
    protected async Task<IActionResult?> LoadGroupAsync(string id, CancellationToken ct)
    {
        var context = await HttpContext.RequestServices.GetRequiredService<GroupContent>().ReadAsync(Viewer, id, ct);
        if (context.Ok) { Group = context.Value!; return null; }
        return StatusCode(context.Problem!.Status);
    }

    /// <summary>A refused form shows the page again with the reason, and the status code of the problem.</summary>
    protected IActionResult Refused(Problem problem)
    {
        Show(problem);
        Response.StatusCode = problem.Status;
        return Page();
    }
}

/// <summary>The tabs above every group-content screen.</summary>
public sealed record GroupContentNav(string GroupId, string GroupName, string Current);
