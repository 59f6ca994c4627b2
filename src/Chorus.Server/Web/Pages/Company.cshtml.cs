using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages;

public sealed class CompanyModel(FeedService feeds) : ChorusPageModel
{
    public Page<PostDto> Feed { get; private set; } = new([], null);

    public async Task<IActionResult> OnGetAsync(string? cursor, CancellationToken ct)
    {
        var page = await feeds.CompanyAsync(Viewer, cursor, null, ct);
        if (!page.Ok) return BadRequest();
        Feed = page.Value!;
        return Page();
    }
}
