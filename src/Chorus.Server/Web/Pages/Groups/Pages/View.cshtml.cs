using Chorus.Server.Features.GroupPages;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

public sealed class WikiPageModel(PageService pages) : GroupContentPageModel
{
    public PageDto PageDto { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id, string slug, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        var page = await pages.GetAsync(Group, slug, ct);
        if (!page.Ok) return NotFound();
        PageDto = await pages.RenderAsync(page.Value!, Viewer, ct);
        return Page();
    }
}
