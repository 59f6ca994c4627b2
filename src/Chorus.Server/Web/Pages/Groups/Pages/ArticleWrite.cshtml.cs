using Chorus.Server.Features.Files;
using Chorus.Server.Features.GroupPages;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

public sealed class ArticleWriteModel(ArticleService articles, FileService files, GroupContent content) : GroupContentPageModel
{
    public string? Title { get; private set; }
    public string? Body { get; private set; }
    public string? CoverFileId { get; private set; }
    public IReadOnlyList<(string Id, string Name)> Images { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        if (!IsMember) return StatusCode(403);
        await LoadImagesAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, string? title, string? body, string? coverFileId, CancellationToken ct)
    {
        var member = await content.MemberAsync(Viewer, id, "write articles", ct);
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        if (!member.Ok) return StatusCode(member.Problem!.Status);
        var created = await articles.CreateAsync(Viewer, Group, new CreateArticleRequest(title, body, string.IsNullOrEmpty(coverFileId) ? null : coverFileId), ct);
        if (created.Ok) return LocalRedirect($"/groups/{GroupId}/articles/{created.Value!.Id}");
        (Title, Body, CoverFileId) = (title, body, coverFileId);
        await LoadImagesAsync(ct);
        return Refused(created.Problem!);
    }

    async Task LoadImagesAsync(CancellationToken ct) =>
        Images = (await files.ListAsync(Group, ct)).Where(f => f.ContentType.StartsWith("image/", StringComparison.Ordinal))
            .Select(f => (GroupContent.Id(f.Id), f.Name)).ToList();
}
