using Chorus.Server.Features.Files;
using Chorus.Server.Features.GroupPages;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

/// <summary>Editing carries the revision it started from in a hidden field; a conflicting save keeps the typed text and shows the current one.</summary>
public sealed class WikiEditModel(PageService pages, GroupContent content, FileService files) : GroupContentPageModel
{
    public string Slug { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string Body { get; private set; } = "";
    public int BaseRevision { get; private set; }
    public PageDto? Conflict { get; private set; }
    /// <summary>The group's library, and which of its files the page already uses (those stay attached).</summary>
    public IReadOnlyList<(string Id, string Name)> Library { get; private set; } = [];
    public HashSet<string> Attached { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, string slug, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        if (!IsMember) return StatusCode(403);
        var page = await pages.GetAsync(Group, slug, ct);
        if (!page.Ok) return NotFound();
        (Slug, Title, Body, BaseRevision) = (slug, page.Value!.Title, page.Value!.Body, page.Value!.Revision);
        await LoadFilesAsync(page.Value!, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, string slug, string? title, string? body, int? baseRevision, List<string>? fileIds, CancellationToken ct)
    {
        var member = await content.MemberAsync(Viewer, id, "write its pages", ct);
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        if (!member.Ok) return StatusCode(member.Problem!.Status);
        var saved = await pages.SaveAsync(Viewer, Group, slug, new SavePageRequest(title, body ?? "", baseRevision, fileIds), ct);
        if (saved.Ok) return LocalRedirect(PageService.Url(Group.Group.Id, slug));
        if (saved.Problem!.Status == 404) return NotFound();
        (Slug, Title, Body, BaseRevision) = (slug, title ?? "", body ?? "", baseRevision ?? 0);
        var current = await pages.GetAsync(Group, slug, ct);
        if (current.Ok) await LoadFilesAsync(current.Value!, ct);
        Attached.UnionWith(fileIds ?? []);
        if (saved.Problem.Kind == PageService.ConflictKind && current.Ok)
        {
            Conflict = await pages.RenderAsync(current.Value!, Viewer, ct);
            // The next save is based on what the editor has now seen.
            BaseRevision = current.Value!.Revision;
        }
        return Refused(saved.Problem);
    }

    async Task LoadFilesAsync(Data.GroupPage page, CancellationToken ct)
    {
        Library = (await files.ListAsync(Group, ct)).Select(f => (GroupContent.Id(f.Id), f.Name)).ToList();
        Attached = (await pages.RenderAsync(page, Viewer, ct)).Files.Select(f => f.Id).ToHashSet();
    }
}
