using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Features.PostTypes;

public static class PostTypeEndpoints
{
    public static void MapPostTypeEndpoints(this IEndpointRouteBuilder app)
    {
        // Creation: one endpoint per kind, in the group it is posted to; group 1 is the all-company group.
        var create = app.MapGroup("/api/v1/groups/{id}").RequireAuthorization().WithTags("Post types");
        create.MapPost("/announcements", CreateAnnouncement).RequiresWrite().RequireRateLimiting(RateLimits.Posting).WithSummary("Announce to a group (its admins; network admins for group 1), pinned and sent to every member");
        create.MapPost("/questions", CreateQuestion).RequiresWrite().RequireRateLimiting(RateLimits.Posting).WithSummary("Ask a question in a group");
        create.MapPost("/polls", CreatePoll).RequiresWrite().RequireRateLimiting(RateLimits.Posting).WithSummary("Start a poll: 2–10 options, single or multiple choice, optional closing time");
        create.MapPost("/praise", CreatePraise).RequiresWrite().RequireRateLimiting(RateLimits.Posting).WithSummary("Praise 1–20 people with a badge");
        create.MapGet("/events", UpcomingEvents).WithSummary("The group's events that have not ended, soonest first (offset cursor)");
        create.MapPost("/events", CreateEvent).RequiresWrite().RequireRateLimiting(RateLimits.Posting).WithSummary("Announce an event with a local time and IANA time zone");

        var post = app.MapGroup("/api/v1/posts/{id}").RequireAuthorization().WithTags("Post types");
        post.MapPost("/pin", (string id, Viewer v, AnnouncementService s, CancellationToken ct) => Pin(id, true, v, s, ct)).RequiresWrite().WithSummary("Pin an announcement on top of its feed (group admins)");
        post.MapDelete("/pin", (string id, Viewer v, AnnouncementService s, CancellationToken ct) => Pin(id, false, v, s, ct)).RequiresWrite().WithSummary("Unpin an announcement (group admins)");
        post.MapPost("/seen", MarkSeen).RequiresWrite().WithSummary("Record that you saw an announcement (idempotent)");
        post.MapGet("/seen", SeenBy).WithSummary("Who saw an announcement (its author and group admins)");
        post.MapPost("/best-answer", (string id, BestAnswerRequest request, Viewer v, QuestionService s, CancellationToken ct) => BestAnswer(id, request, true, v, s, ct))
            .RequiresWrite().WithSummary("Mark a reply as the question's best answer (the asker or a group admin)");
        post.MapDelete("/best-answer", (string id, Viewer v, QuestionService s, CancellationToken ct) => BestAnswer(id, null, false, v, s, ct))
            .RequiresWrite().WithSummary("Unmark the best answer");
        post.MapPost("/votes", (string id, VoteRequest request, Viewer v, PollService s, CancellationToken ct) => Vote(id, request, false, v, s, ct))
            .RequiresWrite().WithSummary("Vote in a poll (409 if you already voted: PUT to change)");
        post.MapPut("/votes", (string id, VoteRequest request, Viewer v, PollService s, CancellationToken ct) => Vote(id, request, true, v, s, ct))
            .RequiresWrite().WithSummary("Cast or replace your vote in a poll");
        post.MapPut("/rsvp", Rsvp).RequiresWrite().WithSummary("Answer an event: yes, maybe or no");
        post.MapGet("/attendees", Attendees).WithSummary("Who answered an event, by answer");
        post.MapGet("/event.ics", Calendar).WithSummary("The event as an iCalendar (RFC 5545) file");

        var api = app.MapGroup("/api/v1").RequireAuthorization().WithTags("Post types");
        api.MapGet("/questions", Questions).WithSummary("Questions you can see: ?state=unanswered|answered, ?groupId= (1 = all-company)");
        api.MapGet("/people/{handle}/praise", Praise).WithSummary("Praise this person received, newest first");
    }

    static async Task<Results<Created<PostDto>, ProblemHttpResult>> Created(Outcome<Post> outcome, Viewer viewer, PostQueries queries, CancellationToken ct)
    {
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        var dto = (await queries.GetAsync(viewer, outcome.Value!.Id, ct))!;
        return TypedResults.Created(dto.Url, dto);
    }

    static async Task<Results<Created<PostDto>, ProblemHttpResult>> CreateAnnouncement(string id, CreateAnnouncementRequest request, Viewer viewer, AnnouncementService service, PostQueries queries, CancellationToken ct) =>
        await Created(await service.CreateAsync(viewer, id, request, ct), viewer, queries, ct);

    static async Task<Results<Created<PostDto>, ProblemHttpResult>> CreateQuestion(string id, CreateQuestionRequest request, Viewer viewer, QuestionService service, PostQueries queries, CancellationToken ct) =>
        await Created(await service.CreateAsync(viewer, id, request, ct), viewer, queries, ct);

    static async Task<Results<Created<PostDto>, ProblemHttpResult>> CreatePoll(string id, CreatePollRequest request, Viewer viewer, PollService service, PostQueries queries, CancellationToken ct) =>
        await Created(await service.CreateAsync(viewer, id, request, ct), viewer, queries, ct);

    static async Task<Results<Created<PostDto>, ProblemHttpResult>> CreatePraise(string id, CreatePraiseRequest request, Viewer viewer, PraiseService service, PostQueries queries, CancellationToken ct) =>
        await Created(await service.CreateAsync(viewer, id, request, ct), viewer, queries, ct);

    static async Task<Results<Created<PostDto>, ProblemHttpResult>> CreateEvent(string id, CreateEventRequest request, Viewer viewer, EventService service, PostQueries queries, CancellationToken ct) =>
        await Created(await service.CreateAsync(viewer, id, request, ct), viewer, queries, ct);

    static async Task<Results<Ok<Page<PostDto>>, ProblemHttpResult>> UpcomingEvents(string id, string? cursor, int? limit, Viewer viewer, GroupService groups, EventService service, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        return (await service.UpcomingAsync(viewer, context.Value!, cursor, limit, ct)).Match<Results<Ok<Page<PostDto>>, ProblemHttpResult>>(p => TypedResults.Ok(p), p => p.ToResult());
    }

    static async Task<Results<Ok<PinState>, ProblemHttpResult>> Pin(string id, bool pin, Viewer viewer, AnnouncementService service, CancellationToken ct) =>
        (await service.PinAsync(viewer, id, pin, ct)).Match<Results<Ok<PinState>, ProblemHttpResult>>(p => TypedResults.Ok(new PinState(id, p)), p => p.ToResult());

    static async Task<Results<Ok<SeenState>, ProblemHttpResult>> MarkSeen(string id, Viewer viewer, AnnouncementService service, CancellationToken ct) =>
        (await service.MarkSeenAsync(viewer, id, ct)).Match<Results<Ok<SeenState>, ProblemHttpResult>>(n => TypedResults.Ok(new SeenState(id, n)), p => p.ToResult());

    static async Task<Results<Ok<SeenByDto>, ProblemHttpResult>> SeenBy(string id, Viewer viewer, AnnouncementService service, CancellationToken ct) =>
        (await service.SeenByAsync(viewer, id, ct)).Match<Results<Ok<SeenByDto>, ProblemHttpResult>>(s => TypedResults.Ok(s), p => p.ToResult());

    static async Task<Results<Ok<QuestionDetails>, ProblemHttpResult>> BestAnswer(string id, BestAnswerRequest? request, bool set, Viewer viewer, QuestionService service, CancellationToken ct) =>
        (await service.SetBestAnswerAsync(viewer, id, request, set, ct)).Match<Results<Ok<QuestionDetails>, ProblemHttpResult>>(d => TypedResults.Ok(d!), p => p.ToResult());

    static async Task<Results<Ok<PollDetails>, ProblemHttpResult>> Vote(string id, VoteRequest request, bool replace, Viewer viewer, PollService service, CancellationToken ct) =>
        (await service.VoteAsync(viewer, id, request, replace, ct)).Match<Results<Ok<PollDetails>, ProblemHttpResult>>(d => TypedResults.Ok(d), p => p.ToResult());

    static async Task<Results<Ok<RsvpCounts>, ProblemHttpResult>> Rsvp(string id, RsvpRequest request, Viewer viewer, EventService service, CancellationToken ct) =>
        (await service.RsvpAsync(viewer, id, request, ct)).Match<Results<Ok<RsvpCounts>, ProblemHttpResult>>(c => TypedResults.Ok(c), p => p.ToResult());

    static async Task<Results<Ok<AttendeesDto>, ProblemHttpResult>> Attendees(string id, Viewer viewer, EventService service, CancellationToken ct) =>
        (await service.AttendeesAsync(viewer, id, ct)).Match<Results<Ok<AttendeesDto>, ProblemHttpResult>>(a => TypedResults.Ok(a), p => p.ToResult());

    static async Task<IResult> Calendar(string id, HttpRequest http, Viewer viewer, EventService service, CancellationToken ct)
    {
        var outcome = await service.CalendarAsync(viewer, id, $"{http.Scheme}://{http.Host}", ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        return Results.Text(outcome.Value!, ICalendar.ContentType);
    }

    static async Task<Results<Ok<Page<PostDto>>, ProblemHttpResult>> Questions(string? state, string? groupId, string? cursor, int? limit, Viewer viewer, QuestionService service, CancellationToken ct) =>
        (await service.ListAsync(viewer, state, groupId, cursor, limit, ct)).Match<Results<Ok<Page<PostDto>>, ProblemHttpResult>>(p => TypedResults.Ok(p), p => p.ToResult());

    static async Task<Results<Ok<Page<PostDto>>, ProblemHttpResult>> Praise(string handle, string? cursor, int? limit, Viewer viewer, PraiseService service, CancellationToken ct) =>
        (await service.ReceivedAsync(viewer, handle, cursor, limit, ct)).Match<Results<Ok<Page<PostDto>>, ProblemHttpResult>>(p => TypedResults.Ok(p), p => p.ToResult());
}

public sealed record PinState(string PostId, bool Pinned);
public sealed record SeenState(string PostId, int SeenCount);
