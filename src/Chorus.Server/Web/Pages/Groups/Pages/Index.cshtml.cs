using Chorus.Server.Features.GroupPages;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

public sealed class WikiIndexModel(PageService pages, GroupContent content) : GroupContentPageModel
{
    public IReadOnlyList<PageSummaryDto> Pages { get; private set; } = [];
    public string? Title { get; private set; }
    public string? Body { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        Pages = await pages.ListAsync(Group, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, string? title, string? body, CancellationToken ct)
    {
        var member = await content.MemberAsync(Viewer, id, "write its pages", ct);
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        var created = member.Ok ? await pages.CreateAsync(Viewer, Group, new CreatePageRequest(title, body ?? ""), ct) : member.Problem!;
        if (created.Ok) return LocalRedirect(PageService.Url(Group.Group.Id, created.Value!.Slug));
        Pages = await pages.ListAsync(Group, ct);
        Title = title;
        Body = body;
        return Refused(created.Problem!);
    }
}
