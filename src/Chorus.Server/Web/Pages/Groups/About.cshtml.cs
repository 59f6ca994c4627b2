using Chorus.Server.Features.Groups;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups;

/// <summary>What a group is: its description, kind, who runs it, how many belong, since when. Readable by those who may read the group.</summary>
public sealed class AboutModel(GroupService groups, MembershipService members) : ChorusPageModel
{
    public GroupDto Group { get; private set; } = null!;
    public IReadOnlyList<MemberDto> Managers { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return NotFound();
        Group = (await groups.RenderAsync(Viewer, [context.Value!], ct))[0];
        var managers = await members.ManagersAsync(Viewer, context.Value!, ct);
        if (!managers.Ok) return StatusCode(managers.Problem!.Status);
        Managers = managers.Value!;
        return Page();
    }

    public static string KindText(string kind) => kind switch
    {
        "private" => "Private — listed in the directory; only members read it; people ask to join.",
        "secret" => "Secret — not listed; only members know it exists; invitation only.",
        "company" => "The all-company group — everyone in the organization belongs to it.",
        _ => "Public — anyone in the organization reads and joins it.",
    };
}
