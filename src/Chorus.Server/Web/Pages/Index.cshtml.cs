using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Chorus.Server.Web.Pages;

/// <summary>Rate limits apply to whole pages in Razor Pages, so the posting limit sits on the class; reads are exempt (see RateLimits).</summary>
[EnableRateLimiting(RateLimits.Posting)]
public sealed class HomeModel(FeedService feeds, FollowService follows, PostService posts) : ChorusPageModel
{
    public Page<PostDto> Feed { get; private set; } = new([], null);
    public IReadOnlyList<PersonSummary> Suggestions { get; private set; } = [];
    public string? Cursor { get; private set; }
    public string? Text { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? cursor, CancellationToken ct)
    {
        Cursor = cursor;
        var page = await feeds.HomeAsync(Viewer, cursor, null, ct);
        if (!page.Ok) return BadRequest();
        Feed = page.Value!;
        if (Feed.Items.Count == 0 && cursor is null) Suggestions = await follows.SuggestionsAsync(Viewer, 6, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPostAsync(string? text, CancellationToken ct)
    {
        var outcome = await posts.CreateAsync(Viewer, new CreatePostRequest(text), ct);
        if (outcome.Ok) return LocalRedirect($"/#post-{outcome.Value!.Id}");
        // Keep what was typed: the page renders again with the text in the composer and the reason beside it.
        Show(outcome.Problem!);
        Text = text;
        Response.StatusCode = outcome.Problem!.Status;
        Feed = (await feeds.HomeAsync(Viewer, null, null, ct)).Value ?? Feed;
        return Page();
    }
}
