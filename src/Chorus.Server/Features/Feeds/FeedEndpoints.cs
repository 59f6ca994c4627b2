using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Features.Feeds;

public sealed record TopicPage(TopicDto Topic, Page<PostDto> Posts);

public static class FeedEndpoints
{
    public static void MapFeedEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization().WithTags("Feeds");
        api.MapGet("/timelines/home", Home).WithSummary("Your home feed: you, people and topics you follow; newest first, cursor-paged");
        api.MapGet("/timelines/company", Company).WithSummary("The all-company stream: posts not in any other group (not for guests)");
        api.MapGet("/topics/{tag}", Topic).WithSummary("A topic and its posts");
        api.MapPost("/topics/{tag}/follow", FollowTopic).RequiresWrite().WithSummary("Follow a topic");
        api.MapDelete("/topics/{tag}/follow", UnfollowTopic).RequiresWrite().WithSummary("Stop following a topic");
    }

    static async Task<Results<OkJson<Page<PostDto>>, ProblemHttpResult>> Home(Viewer viewer, FeedService feeds, string? cursor, int? limit, CancellationToken ct) =>
        (await feeds.HomeAsync(viewer, cursor, limit, ct)).Match<Results<OkJson<Page<PostDto>>, ProblemHttpResult>>(p => new OkJson<Page<PostDto>>(p), p => p.ToResult());

    static async Task<Results<OkJson<Page<PostDto>>, ProblemHttpResult>> Company(Viewer viewer, FeedService feeds, string? cursor, int? limit, CancellationToken ct) =>
        (await feeds.CompanyAsync(viewer, cursor, limit, ct)).Match<Results<OkJson<Page<PostDto>>, ProblemHttpResult>>(p => new OkJson<Page<PostDto>>(p), p => p.ToResult());

    static async Task<Results<Ok<TopicPage>, ProblemHttpResult>> Topic(string tag, Viewer viewer, TopicStore store, TopicService topics, FeedService feeds, string? cursor, int? limit, CancellationToken ct)
    {
        if (await store.FindAsync(tag, ct) is not { } topic) return Problem.NotFound("The topic").ToResult();
        var page = await feeds.TopicAsync(viewer, topic.Id, cursor, limit, ct);
        if (!page.Ok) return page.Problem!.ToResult();
        return TypedResults.Ok(new TopicPage(await topics.DescribeAsync(topic, viewer, ct), page.Value!));
    }

    static Task<Results<Ok<TopicDto>, ProblemHttpResult>> FollowTopic(string tag, Viewer viewer, TopicStore store, TopicService topics, CancellationToken ct) =>
        SetFollow(tag, true, viewer, store, topics, ct);

    static Task<Results<Ok<TopicDto>, ProblemHttpResult>> UnfollowTopic(string tag, Viewer viewer, TopicStore store, TopicService topics, CancellationToken ct) =>
        SetFollow(tag, false, viewer, store, topics, ct);

    /// <summary>Following a topic nobody has used yet creates it, so people can subscribe ahead of the first post.</summary>
    static async Task<Results<Ok<TopicDto>, ProblemHttpResult>> SetFollow(string tag, bool follow, Viewer viewer, TopicStore store, TopicService topics, CancellationToken ct)
    {
        var clean = tag.Trim().TrimStart('#');
        var topic = await store.FindAsync(clean, ct);
        if (topic is null)
        {
            if (!follow) return Problem.NotFound("The topic").ToResult();
            if (!TopicStore.IsValidTag(clean)) return Problem.Invalid("tag", $"must be letters, digits or '_' with at least one letter, at most {PostText.MaxTagLength} characters.").ToResult();
            await store.EnsureAsync([clean], ct);
            topic = (await store.FindAsync(clean, ct))!;
        }
        await topics.FollowAsync(viewer, topic, follow, ct);
        return TypedResults.Ok(await topics.DescribeAsync(topic, viewer, ct));
    }
}
