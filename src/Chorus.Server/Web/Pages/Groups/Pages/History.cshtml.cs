using Chorus.Server.Features.GroupPages;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

public sealed class WikiHistoryModel(PageService pages, GroupContent content) : GroupContentPageModel
{
    public string Slug { get; private set; } = "";
    public string Title { get; private set; } = "";
    public IReadOnlyList<PageRevisionDto> Revisions { get; private set; } = [];
    public int CurrentRevision { get; private set; }
    public int DefaultFrom => Revisions.Count > 1 ? Revisions[1].Number : CurrentRevision;

    public async Task<IActionResult> OnGetAsync(string id, string slug, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        return await LoadAsync(slug, ct) ? Page() : NotFound();
    }

    /// <summary>Restoring is based on the revision the list showed as current, so a restore never overwrites an unseen save.</summary>
    public async Task<IActionResult> OnPostRestoreAsync(string id, string slug, int number, [FromForm(Name = "base")] int? baseRevision, CancellationToken ct)
    {
        var member = await content.MemberAsync(Viewer, id, "write its pages", ct);
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        if (!member.Ok) return StatusCode(member.Problem!.Status);
        var restored = await pages.RestoreAsync(Viewer, Group, slug, number, baseRevision, ct);
        if (restored.Ok) return LocalRedirect(PageService.Url(Group.Group.Id, slug));
        if (!await LoadAsync(slug, ct)) return NotFound();
        return Refused(restored.Problem!);
    }

    async Task<bool> LoadAsync(string slug, CancellationToken ct)
    {
        var page = await pages.GetAsync(Group, slug, ct);
        var list = await pages.RevisionsAsync(Group, slug, ct);
        if (!page.Ok || !list.Ok) return false;
        (Slug, Title, CurrentRevision, Revisions) = (slug, page.Value!.Title, page.Value!.Revision, list.Value!);
        return true;
    }
}
