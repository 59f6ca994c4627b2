using Chorus.Server.Features.GroupPages;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

public sealed class WikiDiffModel(PageService pages) : GroupContentPageModel
{
    public string Slug { get; private set; } = "";
    public PageDiffDto? Diff { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, string slug, int? from, int? to, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        Slug = slug;
        var diff = await pages.DiffAsync(Group, slug, from, to, ct);
        if (diff.Ok) Diff = diff.Value;
        else
        {
            Show(diff.Problem!);
            Response.StatusCode = diff.Problem!.Status;
        }
        return Page();
    }
}
