using Chorus.Server.Features.GroupPages;
using Chorus.Server.Features.People;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

public sealed class ArticlesModel(ArticleService articles) : GroupContentPageModel
{
    public Page<ArticleSummaryDto> Articles { get; private set; } = new([], null);

    public async Task<IActionResult> OnGetAsync(string id, string? cursor, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        var page = await articles.ListAsync(Viewer, Group, cursor, 20, ct);
        if (page.Ok) Articles = page.Value!;
        else { Show(page.Problem!); Response.StatusCode = page.Problem!.Status; }
        return Page();
    }
}
