using Chorus.Server.Features.GroupPages;
using Chorus.Server.Features.Posts;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

/// <summary>An article and its comments (the replies to its post); commenting posts to the thread page's reply handler.</summary>
public sealed class ArticleModel(ArticleService articles, PostQueries queries) : GroupContentPageModel
{
    public ArticleDto Article { get; private set; } = null!;
    public IReadOnlyList<PostDto> Comments { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, string postId, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        var article = await articles.GetAsync(Viewer, Group, postId, ct);
        if (!article.Ok) return NotFound();
        Article = article.Value!;
        Comments = (await queries.ThreadAsync(Viewer, long.Parse(Article.Id, System.Globalization.CultureInfo.InvariantCulture), ct))?.Replies ?? [];
        return Page();
    }
}
