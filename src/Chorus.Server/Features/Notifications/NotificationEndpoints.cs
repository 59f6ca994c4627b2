using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Features.Notifications;

public static class NotificationEndpoints
{
    public static void MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/notifications").RequireAuthorization().WithTags("Notifications");
        api.MapGet("", List).WithSummary("Your notifications, newest first; reactions, shares and follows grouped (kind=, unread=true, cursor=, limit=)");
        api.MapGet("/unread-count", Count).WithSummary("How many of your notifications are unread");
        api.MapPost("/read", Read).RequiresWrite().WithSummary("Mark notifications read: {\"ids\": [...]} or {\"all\": true}");
        api.MapGet("/preferences", Preferences).WithSummary("Which kinds of notification you get");
        api.MapPut("/preferences", SetPreferences).RequiresWrite().WithSummary("Switch kinds on or off, e.g. {\"reaction\": false}");

        var posts = app.MapGroup("/api/v1/posts").RequireAuthorization().WithTags("Notifications");
        posts.MapPost("/{id}/mute", Mute).RequiresWrite().WithSummary("Mute the post's thread: no notifications about it");
        posts.MapDelete("/{id}/mute", Unmute).RequiresWrite().WithSummary("Unmute the post's thread");
    }

    static async Task<Results<Ok<Page<NotificationDto>>, ProblemHttpResult>> List(
        Viewer viewer, NotificationService notifications, string? kind, bool? unread, string? cursor, int? limit, CancellationToken ct) =>
        (await notifications.ListAsync(viewer, kind, unread == true, cursor, limit, ct))
            .Match<Results<Ok<Page<NotificationDto>>, ProblemHttpResult>>(p => TypedResults.Ok(p), p => p.ToResult());

    static async Task<Ok<UnreadCount>> Count(Viewer viewer, NotificationService notifications, CancellationToken ct) =>
        TypedResults.Ok(new UnreadCount(await notifications.UnreadCountAsync(viewer, ct)));

    static async Task<Results<Ok<ReadResult>, ProblemHttpResult>> Read(MarkReadRequest? request, Viewer viewer, NotificationService notifications, CancellationToken ct) =>
        (await notifications.MarkReadAsync(viewer, request, ct))
            .Match<Results<Ok<ReadResult>, ProblemHttpResult>>(r => TypedResults.Ok(r), p => p.ToResult());

    static async Task<Ok<Dictionary<string, bool>>> Preferences(Viewer viewer, NotificationService notifications, CancellationToken ct) =>
        TypedResults.Ok(await notifications.PreferencesAsync(viewer.Id, ct));

    static async Task<Results<Ok<Dictionary<string, bool>>, ProblemHttpResult>> SetPreferences(
        Dictionary<string, bool>? changes, Viewer viewer, NotificationService notifications, CancellationToken ct) =>
        (await notifications.SetPreferencesAsync(viewer, changes, ct))
            .Match<Results<Ok<Dictionary<string, bool>>, ProblemHttpResult>>(p => TypedResults.Ok(p), p => p.ToResult());

    static Task<Results<Ok<MuteState>, ProblemHttpResult>> Mute(string id, Viewer viewer, NotificationService notifications, CancellationToken ct) =>
        SetMute(id, true, viewer, notifications, ct);

    static Task<Results<Ok<MuteState>, ProblemHttpResult>> Unmute(string id, Viewer viewer, NotificationService notifications, CancellationToken ct) =>
        SetMute(id, false, viewer, notifications, ct);

    static async Task<Results<Ok<MuteState>, ProblemHttpResult>> SetMute(string id, bool mute, Viewer viewer, NotificationService notifications, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return Problem.NotFound("The post").ToResult();
        return (await notifications.MuteAsync(viewer, parsed.Value, mute, ct))
            .Match<Results<Ok<MuteState>, ProblemHttpResult>>(s => TypedResults.Ok(s), p => p.ToResult());
    }
}
