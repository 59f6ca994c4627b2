using Chorus.Server.Features.Posts;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Posts;

public sealed class HistoryModel(PostQueries queries) : ChorusPageModel
{
    public string Id { get; private set; } = "";
    public IReadOnlyList<RevisionDto> Revisions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok || await queries.HistoryAsync(Viewer, parsed.Value, ct) is not { } history) return NotFound();
        Id = id;
        Revisions = history;
        return Page();
    }
}
