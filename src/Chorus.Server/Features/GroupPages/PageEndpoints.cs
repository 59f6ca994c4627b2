using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Features.GroupPages;

public static class PageEndpoints
{
    public static void MapGroupPageEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/groups/{id}/pages").RequireAuthorization().WithTags("Group pages");
        api.MapGet("", List).WithSummary("The group's wiki pages, by title");
        api.MapPost("", Create).RequiresWrite().WithSummary("Create a page (members); the slug is made from the title unless given");
        api.MapGet("/{slug}", Get).WithSummary("A page: Markdown body, rendered HTML, current revision and attached files");
        api.MapPut("/{slug}", Save).RequiresWrite().WithSummary("Save a new revision (members); 409 edit-conflict unless baseRevision is the current one");
        api.MapGet("/{slug}/revisions", Revisions).WithSummary("Revision history, newest first, with who and when");
        api.MapGet("/{slug}/revisions/{number:int}", Revision).WithSummary("One revision's text");
        api.MapPost("/{slug}/revisions/{number:int}/restore", Restore).RequiresWrite().WithSummary("Make an old revision current again, as a new revision");
        api.MapGet("/{slug}/diff", Diff).WithSummary("Line diff between two revisions: ?from=&to= (to defaults to the current one)");
    }

    static async Task<Results<Ok<List<PageSummaryDto>>, ProblemHttpResult>> List(string id, Viewer viewer, GroupContent content, PageService pages, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        return TypedResults.Ok(await pages.ListAsync(context.Value!, ct));
    }

    static async Task<Results<Created<PageDto>, ProblemHttpResult>> Create(string id, CreatePageRequest request, Viewer viewer, GroupContent content, PageService pages, CancellationToken ct)
    {
        var context = await content.MemberAsync(viewer, id, "write its pages", ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var created = await pages.CreateAsync(viewer, context.Value!, request, ct);
        if (!created.Ok) return created.Problem!.ToResult();
        var dto = await pages.RenderAsync(created.Value!, viewer, ct);
        return TypedResults.Created($"/api/v1/groups/{id}/pages/{dto.Slug}", dto);
    }

    static async Task<Results<Ok<PageDto>, ProblemHttpResult>> Get(string id, string slug, Viewer viewer, GroupContent content, PageService pages, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var page = await pages.GetAsync(context.Value!, slug, ct);
        return page.Ok ? TypedResults.Ok(await pages.RenderAsync(page.Value!, viewer, ct)) : page.Problem!.ToResult();
    }

    static async Task<Results<Ok<PageDto>, ProblemHttpResult>> Save(string id, string slug, SavePageRequest request, Viewer viewer, GroupContent content, PageService pages, CancellationToken ct)
    {
        var context = await content.MemberAsync(viewer, id, "write its pages", ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var saved = await pages.SaveAsync(viewer, context.Value!, slug, request, ct);
        if (saved.Ok) return TypedResults.Ok(await pages.RenderAsync(saved.Value!, viewer, ct));
        return await ConflictOrProblemAsync(saved.Problem!, context.Value!, slug, request.Title, request.Body, pages, ct);
    }

    static async Task<Results<Ok<List<PageRevisionDto>>, ProblemHttpResult>> Revisions(string id, string slug, Viewer viewer, GroupContent content, PageService pages, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var list = await pages.RevisionsAsync(context.Value!, slug, ct);
        return list.Ok ? TypedResults.Ok(list.Value!) : list.Problem!.ToResult();
    }

    static async Task<Results<Ok<PageRevisionDto>, ProblemHttpResult>> Revision(string id, string slug, int number, Viewer viewer, GroupContent content, PageService pages, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var revision = await pages.RevisionAsync(context.Value!, slug, number, ct);
        return revision.Ok ? TypedResults.Ok(revision.Value!) : revision.Problem!.ToResult();
    }

    static async Task<Results<Ok<PageDto>, ProblemHttpResult>> Restore(string id, string slug, int number, [FromBody] RestorePageRequest? request, Viewer viewer,
        GroupContent content, PageService pages, CancellationToken ct)
    {
        var context = await content.MemberAsync(viewer, id, "write its pages", ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var restored = await pages.RestoreAsync(viewer, context.Value!, slug, number, request?.BaseRevision, ct);
        if (restored.Ok) return TypedResults.Ok(await pages.RenderAsync(restored.Value!, viewer, ct));
        return await ConflictOrProblemAsync(restored.Problem!, context.Value!, slug, null, null, pages, ct);
    }

    static async Task<Results<Ok<PageDiffDto>, ProblemHttpResult>> Diff(string id, string slug, int? from, int? to, Viewer viewer, GroupContent content, PageService pages, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var diff = await pages.DiffAsync(context.Value!, slug, from, to, ct);
        return diff.Ok ? TypedResults.Ok(diff.Value!) : diff.Problem!.ToResult();
    }

    /// <summary>
    /// An edit conflict answers with the current revision's number and text, and echoes what was sent, so a client
    /// can show both and nothing typed is lost.
    /// </summary>
    static async Task<ProblemHttpResult> ConflictOrProblemAsync(Problem problem, Groups.GroupContext context, string slug, string? title, string? body,
        PageService pages, CancellationToken ct)
    {
        if (problem.Kind != PageService.ConflictKind) return problem.ToResult();
        var current = await pages.GetAsync(context, slug, ct);
        var pd = new ProblemDetails { Status = problem.Status, Type = problem.Type, Title = problem.Title, Detail = problem.Detail };
        if (current.Ok)
        {
            pd.Extensions["currentRevision"] = current.Value!.Revision;
            pd.Extensions["currentTitle"] = current.Value!.Title;
            pd.Extensions["currentBody"] = current.Value!.Body;
        }
        if (title is not null) pd.Extensions["yourTitle"] = title;
        if (body is not null) pd.Extensions["yourBody"] = body;
        return TypedResults.Problem(pd);
    }
}
