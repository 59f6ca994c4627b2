using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Features.GroupPages;

/// <summary>A group's FAQ and articles.</summary>
public static class GroupContentEndpoints
{
    public static void MapGroupContentEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/groups/{id}").RequireAuthorization().WithTags("Group pages");
        api.MapGet("/faq", Faq).WithSummary("The group's FAQ, in order; canEdit says whether you may change it");
        api.MapPost("/faq", AddEntry).RequiresWrite().WithSummary("Add a question and answer at the end (group admins)");
        api.MapPut("/faq/order", Reorder).RequiresWrite().WithSummary("Reorder the FAQ: the full list of entry ids (group admins); 422 unless a permutation");
        api.MapPut("/faq/{entryId}", UpdateEntry).RequiresWrite().WithSummary("Change an entry (group admins)");
        api.MapDelete("/faq/{entryId}", DeleteEntry).RequiresWrite().WithSummary("Delete an entry (group admins)");
        api.MapGet("/articles", Articles).WithSummary("The group's articles, newest first, cursor-paged");
        api.MapPost("/articles", CreateArticle).RequiresWrite().WithSummary("Write an article (members): title, Markdown body, optional cover image and files");
        api.MapGet("/articles/{postId}", Article).WithSummary("An article: its body, cover, files and the post that carries its comments");
    }

    static async Task<Results<Ok<FaqDto>, ProblemHttpResult>> Faq(string id, Viewer viewer, GroupContent content, FaqService faq, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        return TypedResults.Ok(await faq.GetAsync(viewer, context.Value!, ct));
    }

    static async Task<Results<Created<FaqEntryDto>, ProblemHttpResult>> AddEntry(string id, FaqEntryRequest request, Viewer viewer, GroupContent content, FaqService faq, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var created = await faq.CreateAsync(viewer, context.Value!, request, ct);
        return created.Ok ? TypedResults.Created($"/api/v1/groups/{id}/faq", FaqService.Dto(created.Value!)) : created.Problem!.ToResult();
    }

    static async Task<Results<Ok<FaqEntryDto>, ProblemHttpResult>> UpdateEntry(string id, string entryId, FaqEntryRequest request, Viewer viewer, GroupContent content, FaqService faq, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var updated = await faq.UpdateAsync(viewer, context.Value!, entryId, request, ct);
        return updated.Ok ? TypedResults.Ok(FaqService.Dto(updated.Value!)) : updated.Problem!.ToResult();
    }

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteEntry(string id, string entryId, Viewer viewer, GroupContent content, FaqService faq, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var deleted = await faq.DeleteAsync(viewer, context.Value!, entryId, ct);
        return deleted.Ok ? TypedResults.NoContent() : deleted.Problem!.ToResult();
    }

    static async Task<Results<Ok<FaqDto>, ProblemHttpResult>> Reorder(string id, FaqOrderRequest request, Viewer viewer, GroupContent content, FaqService faq, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var done = await faq.ReorderAsync(viewer, context.Value!, request, ct);
        return done.Ok ? TypedResults.Ok(await faq.GetAsync(viewer, context.Value!, ct)) : done.Problem!.ToResult();
    }

    static async Task<Results<Ok<Page<ArticleSummaryDto>>, ProblemHttpResult>> Articles(string id, Viewer viewer, GroupContent content, ArticleService articles,
        string? cursor, int? limit, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var page = await articles.ListAsync(viewer, context.Value!, cursor, limit, ct);
        return page.Ok ? TypedResults.Ok(page.Value!) : page.Problem!.ToResult();
    }

    static async Task<Results<Created<ArticleDto>, ProblemHttpResult>> CreateArticle(string id, CreateArticleRequest request, Viewer viewer, GroupContent content,
        ArticleService articles, CancellationToken ct)
    {
        var context = await content.MemberAsync(viewer, id, "write articles", ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var created = await articles.CreateAsync(viewer, context.Value!, request, ct);
        if (!created.Ok) return created.Problem!.ToResult();
        var dto = await articles.GetAsync(viewer, context.Value!, GroupContent.Id(created.Value!.Id), ct);
        return TypedResults.Created($"/api/v1/groups/{id}/articles/{dto.Value!.Id}", dto.Value!);
    }

    static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> Article(string id, string postId, Viewer viewer, GroupContent content, ArticleService articles, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var article = await articles.GetAsync(viewer, context.Value!, postId, ct);
        return article.Ok ? TypedResults.Ok(article.Value!) : article.Problem!.ToResult();
    }
}
