using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Features.Posts;

public static class PostEndpoints
{
    public static void MapPostEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/posts").RequireAuthorization().WithTags("Posts");
        api.MapPost("", Create).RequiresWrite().RequireRateLimiting(RateLimits.Posting).WithSummary("Write a post or a reply (Markdown subset, at most 5,000 characters)");
        api.MapGet("/{id}", Get).WithSummary("A post (JSON, or Activity Streams 2.0 with Accept: application/activity+json)");
        api.MapPatch("/{id}", Edit).RequiresWrite().RequireRateLimiting(RateLimits.Posting).WithSummary("Edit your post; the old text stays in its history");
        api.MapDelete("/{id}", Delete).RequiresWrite().WithSummary("Delete a post (its author or an admin)");
        api.MapGet("/{id}/thread", Thread).WithSummary("The conversation the post belongs to, oldest first");
        api.MapGet("/{id}/history", History).WithSummary("The post's text now and before each edit, newest first");
        api.MapPost("/{id}/reactions/{emoji}", React).RequiresWrite().WithSummary("React (like, love, celebrate, insightful, laugh, sad)");
        api.MapDelete("/{id}/reactions/{emoji}", Unreact).RequiresWrite().WithSummary("Take a reaction back");
        api.MapPost("/{id}/shares", Share).RequiresWrite().RequireRateLimiting(RateLimits.Posting).WithSummary("Share a post to your followers, with an optional comment");
    }

    static async Task<Results<CreatedJson<PostDto>, ProblemHttpResult>> Create(CreatePostRequest request, Viewer viewer, PostService posts, PostQueries queries, CancellationToken ct)
    {
        var outcome = await posts.CreateAsync(viewer, request, ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        var dto = (await queries.GetAsync(viewer, outcome.Value!.Id, ct))!;
        return new CreatedJson<PostDto>(dto.Url, dto);
    }

    static async Task<IResult> Get(string id, HttpRequest request, Viewer viewer, PostQueries queries, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok || await queries.GetAsync(viewer, parsed.Value, ct) is not { } post) return Problem.NotFound("The post").ToResult();
        if (ActivityStreams.IsWanted(request))
            return Results.Json(ActivityStreams.Note(post, $"{request.Scheme}://{request.Host}"), contentType: ActivityStreams.ContentType);
        return new OkJson<PostDto>(post);
    }

    static async Task<Results<Ok<PostDto>, ProblemHttpResult>> Edit(string id, EditPostRequest request, Viewer viewer, PostService posts, PostQueries queries, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return parsed.Problem!.ToResult();
        var outcome = await posts.EditAsync(viewer, parsed.Value, request, ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        return TypedResults.Ok((await queries.GetAsync(viewer, parsed.Value, ct))!);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, Viewer viewer, PostService posts, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return parsed.Problem!.ToResult();
        var outcome = await posts.DeleteAsync(viewer, parsed.Value, ct);
        return outcome.Ok ? TypedResults.NoContent() : outcome.Problem!.ToResult();
    }

    static async Task<Results<Ok<ThreadDto>, ProblemHttpResult>> Thread(string id, Viewer viewer, PostQueries queries, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok || await queries.ThreadAsync(viewer, parsed.Value, ct) is not { } thread) return Problem.NotFound("The post").ToResult();
        return TypedResults.Ok(thread);
    }

    static async Task<Results<Ok<IReadOnlyList<RevisionDto>>, ProblemHttpResult>> History(string id, Viewer viewer, PostQueries queries, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok || await queries.HistoryAsync(viewer, parsed.Value, ct) is not { } history) return Problem.NotFound("The post").ToResult();
        return TypedResults.Ok(history);
    }

    static Task<Results<Ok<ReactionState>, ProblemHttpResult>> React(string id, string emoji, Viewer viewer, PostService posts, CancellationToken ct) =>
        SetReaction(id, emoji, true, viewer, posts, ct);

    static Task<Results<Ok<ReactionState>, ProblemHttpResult>> Unreact(string id, string emoji, Viewer viewer, PostService posts, CancellationToken ct) =>
        SetReaction(id, emoji, false, viewer, posts, ct);

    static async Task<Results<Ok<ReactionState>, ProblemHttpResult>> SetReaction(string id, string emoji, bool add, Viewer viewer, PostService posts, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return parsed.Problem!.ToResult();
        return (await posts.ReactAsync(viewer, parsed.Value, emoji, add, ct))
            .Match<Results<Ok<ReactionState>, ProblemHttpResult>>(s => TypedResults.Ok(s), p => p.ToResult());
    }

    /// <summary>The body is optional (a share without comment), so it is read by hand: an empty POST must not miss the route.</summary>
    static async Task<Results<Created<PostDto>, ProblemHttpResult>> Share(string id, HttpRequest http, Viewer viewer, PostService posts, PostQueries queries, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return parsed.Problem!.ToResult();
        var request = new SharePostRequest();
        if (http.ContentLength is > 0 || http.Headers.TransferEncoding.Count > 0)
        {
            if (!http.HasJsonContentType()) return Problem.Unsupported("Content-Type", "Send application/json or no body.").ToResult();
            try { request = await http.ReadFromJsonAsync<SharePostRequest>(ct) ?? request; }
            catch (System.Text.Json.JsonException e) { return Problem.BadRequest(e.Path?.TrimStart('$', '.') is { Length: > 0 } f ? f : "body", e.Message).ToResult(); }
        }
        var outcome = await posts.ShareAsync(viewer, parsed.Value, request, ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        var dto = (await queries.GetAsync(viewer, outcome.Value!.Id, ct))!;
        return TypedResults.Created(dto.Url, dto);
    }
}
