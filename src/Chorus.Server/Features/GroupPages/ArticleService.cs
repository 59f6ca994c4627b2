using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Files;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.GroupPages;

/// <summary>
/// Articles: long-form posts of kind 'article'. The post carries a short summary (title and excerpt) so every feed,
/// notification and search path treats it as a post under the one visibility rule; the article row holds the rest and
/// is written in the same SaveChanges. Replies are the comments.
/// </summary>
public sealed class ArticleService(ChorusDb db, PostService posts, PostRenderer renderer, LongText text, FileService files,
    FileRenderer fileRenderer, PersonRenderer people)
{
    public const int MaxTitle = 200, DefaultLimit = 20, MaxLimit = 100;

    public async Task<Outcome<Post>> CreateAsync(Viewer viewer, GroupContext context, CreateArticleRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Title)) return Problem.Invalid("title", "must not be empty.");
        var title = request.Title.Trim();
        if (title.Length > MaxTitle) return Problem.Invalid("title", $"must be at most {MaxTitle} characters.");
        if (LongText.Check("body", request.Body, LongText.MaxBody) is { } bodyProblem) return bodyProblem;
        var gid = context.Group.Id;
        var attached = await files.ResolveAsync(request.FileIds, gid, ct);
        if (!attached.Ok) return attached.Problem!;
        StoredFile? cover = null;
        if (request.CoverFileId is not null)
        {
            var found = await files.ResolveAsync([request.CoverFileId], gid, ct);
            if (!found.Ok) return Problem.Invalid("coverFileId", "must be an image in this group's file library.");
            cover = found.Value![0];
            if (!cover.ContentType.StartsWith("image/", StringComparison.Ordinal)) return Problem.Invalid("coverFileId", "must be an image.");
        }

        var html = await text.RenderAsync(request.Body!, ct);
        var excerpt = LongText.Excerpt(html);
        var summary = excerpt.Length == 0 ? title : $"**{title.Replace("*", "\\*")}**\n\n{excerpt}";
        return await posts.CreateAsync(viewer, new CreatePostRequest(summary, null, GroupContent.Id(gid)), PostKinds.Article, async (post, _) =>
        {
            db.Articles.Add(new Article { PostId = post.Id, Title = title, Body = request.Body!, Html = html, Excerpt = excerpt, CoverFileId = cover?.Id });
            var used = attached.Value!.Select(f => f.Id).ToList();
            if (cover is not null) used.Add(cover.Id);
            await files.AddUsesAsync(used, post.Id, null, ct);
            return null;
        }, ct);
    }

    /// <summary>The group's articles the viewer may see, newest first; the cursor is the last article's id.</summary>
    public async Task<Outcome<Page<ArticleSummaryDto>>> ListAsync(Viewer viewer, GroupContext context, string? cursor, int? limit, CancellationToken ct)
    {
        var n = limit ?? DefaultLimit;
        if (n is < 1 or > MaxLimit) return Problem.BadRequest("limit", $"must be between 1 and {MaxLimit}.");
        long before = long.MaxValue;
        if (cursor is not null && !GroupContent.TryParseId(cursor, out before)) return Problem.BadRequest("cursor", "is not a cursor this server issued.");
        var query = GroupContent.InGroup(db.Posts.AsNoTracking().VisibleTo(viewer), context.Group.Id)
            .Where(p => p.Kind == PostKinds.Article && p.ReplyToId == null && p.Id < before);
        var rows = await (from p in query join a in db.Articles on p.Id equals a.PostId
                          orderby p.Id descending
                          select new { Post = p, a.Title, a.Excerpt, a.CoverFileId }).Take(n + 1).ToListAsync(ct);
        var page = rows.Take(n).ToList();
        var ids = page.Select(r => r.Post.Id).ToList();
        var replies = await db.Posts.VisibleTo(viewer).Where(p => p.ReplyToId != null && ids.Contains(p.RootId))
            .GroupBy(p => p.RootId).Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        var covers = await CoversAsync(page.Select(r => r.CoverFileId), ct);
        var authors = await people.SummariesAsync(page.Select(r => r.Post.AuthorId), ct);
        var items = page.Select(r => new ArticleSummaryDto(GroupContent.Id(r.Post.Id), r.Title, r.Excerpt,
            r.CoverFileId is { } c && covers.TryGetValue(c, out var url) ? url : null,
            authors.GetValueOrDefault(r.Post.AuthorId) ?? new PersonSummary(GroupContent.Id(r.Post.AuthorId), "unknown", "Unknown", null, null, null, false),
            r.Post.CreatedAt, replies.GetValueOrDefault(r.Post.Id), FileRenderer.ArticleUrl(r.Post.GroupId, r.Post.Id))).ToList();
        return new Page<ArticleSummaryDto>(items, rows.Count > n ? GroupContent.Id(page[^1].Post.Id) : null);
    }

    public async Task<Outcome<ArticleDto>> GetAsync(Viewer viewer, GroupContext context, string postId, CancellationToken ct)
    {
        if (!GroupContent.TryParseId(postId, out var pid)) return Problem.NotFound("The article");
        var post = await GroupContent.InGroup(db.Posts.AsNoTracking().VisibleTo(viewer), context.Group.Id)
            .FirstOrDefaultAsync(p => p.Id == pid && p.Kind == PostKinds.Article, ct);
        var article = post is null ? null : await db.Articles.AsNoTracking().FirstOrDefaultAsync(a => a.PostId == pid, ct);
        if (post is null || article is null) return Problem.NotFound("The article");
        var dto = (await renderer.RenderAsync([post], viewer, ct))[0];
        var covers = await CoversAsync([article.CoverFileId], ct);
        var attached = await db.Files.AsNoTracking().Where(f => db.FileUses.Any(u => u.PostId == pid && u.FileId == f.Id)).OrderBy(f => f.Id).ToListAsync(ct);
        return new ArticleDto(GroupContent.Id(pid), GroupContent.Id(context.Group.Id), article.Title, article.Body, article.Html,
            article.CoverFileId is { } c && covers.TryGetValue(c, out var url) ? url : null, dto,
            await fileRenderer.RenderAsync(viewer, attached, ct), FileRenderer.ArticleUrl(post.GroupId, pid));
    }

    async Task<Dictionary<long, string>> CoversAsync(IEnumerable<long?> ids, CancellationToken ct)
    {
        var wanted = ids.Where(i => i is not null).Select(i => i!.Value).Distinct().ToList();
        if (wanted.Count == 0) return [];
        return (await db.Files.AsNoTracking().Where(f => wanted.Contains(f.Id)).ToListAsync(ct)).ToDictionary(f => f.Id, FileService.Url);
    }
}

/// <summary>The card of an article post in feeds: title, excerpt, cover and where to read it.</summary>
public sealed class ArticleDetails(RequestDb requestDb) : IPostDetails
{
    ChorusDb db => requestDb.Context;

    public string Kind => PostKinds.Article;

    public async Task<IReadOnlyDictionary<long, object>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct)
    {
        var ids = posts.Select(p => p.Id).ToList();
        var rows = await (from a in db.Articles
                          join f in db.Files on a.CoverFileId equals (long?)f.Id into covers
                          from f in covers.DefaultIfEmpty()
                          where ids.Contains(a.PostId)
                          select new { a.PostId, a.Title, a.Excerpt, Cover = f }).ToListAsync(ct);
        var byId = posts.ToDictionary(p => p.Id);
        return rows.ToDictionary(r => r.PostId, r => (object)new ArticleCard(r.Title, r.Excerpt,
            r.Cover is null ? null : FileService.Url(r.Cover), FileRenderer.ArticleUrl(byId[r.PostId].GroupId, r.PostId)));
    }
}
