using System.Text;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Chorus.Server.Features.Realtime;

public static class StreamingEndpoints
{
    static readonly byte[] Preamble = "retry: 2000\n: connected\n\n"u8.ToArray();

    public static void MapStreamingEndpoints(this IEndpointRouteBuilder app)
    {
        // An idle stream stays open for hours, so what its request holds is paid per connection (docs/benchmarks.md,
        // memory per idle stream). The SSE endpoint therefore runs straight from routing (ShortCircuit): it checks the
        // credential itself, the same way the authentication handler does, instead of going through the
        // authentication, authorization, rate-limiting and antiforgery middleware, whose state (principal, ticket,
        // authentication result, request service scope, their async frames) would otherwise stay alive with it. Its
        // services are the node's singletons, taken here once rather than from a per-request scope.
        var services = app.ServiceProvider;
        var hub = services.GetRequiredService<StreamHub>();
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var problems = services.GetRequiredService<IProblemDetailsService>();
        app.MapGet("/api/v1/streaming", (Delegate)((HttpContext http) => ServerSentEvents(http, hub, scopes, lifetime, problems)))
            .WithTags("Streaming").Produces(200, contentType: "text/event-stream").ProducesProblem(400).ProducesProblem(401)
            .WithSummary("Live events as Server-Sent Events: ?stream=user&stream=company&stream=topic:tag&stream=post:id; resume with Last-Event-ID")
            .ShortCircuit();
        app.MapGet("/api/v1/streaming/ws", WebSocketStream.HandleAsync).RequireAuthorization().WithTags("Streaming")
            .WithSummary("The same streams over a WebSocket with JSON subscribe/unsubscribe messages");
    }

    static async Task ServerSentEvents(HttpContext http, StreamHub hub, IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, IProblemDetailsService problems)
    {
        var ct = http.RequestAborted;
        var connection = await OpenAsync(http, hub, scopes, problems, ct);
        if (connection is null) return;
        var body = http.Response.Body;
        try
        {
            // Ends on client disconnect, revocation, or server shutdown (so clients reconnect to another node at once).
            // Each of these completes the outbox instead of cancelling a linked token source, so an idle stream holds
            // two callback registrations, not a token source of its own and one registration per wait.
            using var onAbort = ct.UnsafeRegister(static c => ((StreamConnection)c!).End(), connection);
            using var onStop = lifetime.ApplicationStopping.UnsafeRegister(static c => ((StreamConnection)c!).End(), connection);
            var reader = connection.Outbox;
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var message))
                {
                    if (!message.IsHeartbeat)
                    {
                        if (message.Seq <= connection.LastSentSeq) continue;
                        connection.LastSentSeq = message.Seq;
                    }
                    await body.WriteAsync(message.SseFrame, connection.Closed);
                }
                await body.FlushAsync(connection.Closed);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { /* the client went away */ }
        finally
        {
            if (connection.CloseReason is { } reason && !ct.IsCancellationRequested)
            {
                try
                {
                    await WriteAsync(body, $"event: error\ndata: {System.Text.Json.JsonSerializer.Serialize(new { reason })}\n\n", CancellationToken.None);
                    await body.FlushAsync(CancellationToken.None);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException) { }
            }
            hub.Release(connection);
        }
    }

    /// <summary>
    /// Authenticates, resolves the streams, sends the preamble and replays what a resuming client missed. Null when it
    /// has answered with a problem (or the client left). A method of its own so the request's query, the resolved
    /// keys and the database scope are not kept in the long-running loop's state.
    /// </summary>
    static async Task<StreamConnection?> OpenAsync(HttpContext http, StreamHub hub, IServiceScopeFactory scopes, IProblemDetailsService problems, CancellationToken ct)
    {
        var viewer = await ChorusAuthenticationHandler.AuthenticateAsync(http, scopes);
        if (viewer is null) { await ChorusAuthenticationHandler.ChallengeAsync(http, problems); return null; }

        // Parsed here rather than through Request.Query, which would cache the parsed query on the request for as
        // long as the stream stays open.
        var query = QueryHelpers.ParseQuery(http.Request.QueryString.Value);
        var streams = (query.TryGetValue("stream", out var named) ? named : default)
            .SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var last = StreamSession.ParseLastEventId(http.Request.Headers["Last-Event-ID"].FirstOrDefault()
            ?? (query.TryGetValue("lastEventId", out var lastId) ? lastId.FirstOrDefault() : null));
        if (!last.Ok) { await last.Problem!.ToResult().ExecuteAsync(http); return null; }

        StreamConnection? connection = null;
        try
        {
            var body = http.Response.Body;
            // Resolving and replaying need the database; an idle stream must not keep a DbContext (or any scoped
            // service) alive for hours, so they run in a scope of their own that ends before the stream waits.
            await using var scope = scopes.CreateAsyncScope();
            var session = scope.ServiceProvider.GetRequiredService<StreamSession>();
            var resolved = await session.ResolveAsync(viewer, streams, 0, ct);
            if (!resolved.Ok) { await resolved.Problem!.ToResult().ExecuteAsync(http); return null; }
            var opened = hub.Open(viewer);
            if (!opened.Ok) { await opened.Problem!.ToResult().ExecuteAsync(http); return null; }
            connection = opened.Value!;
            var head = hub.Attach(connection, resolved.Value!);
            http.Response.ContentType = "text/event-stream; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache, no-transform";
            // Proxies such as nginx must not buffer a stream (docs/operations.md).
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await body.WriteAsync(Preamble, ct);
            await body.FlushAsync(ct);
            if (last.Value is { } after)
            {
                if (!await session.ReplayAsync(connection, after, head, m => body.WriteAsync(m.SseFrame, ct).AsTask(), ct))
                    await WriteAsync(body, $"event: resync\ndata: {{\"reason\":\"The events after {after} are no longer kept; refetch and reconnect without Last-Event-ID.\"}}\n\n", ct);
                await body.FlushAsync(ct);
            }
            connection.LastSentSeq = Math.Max(head, last.Value ?? 0);
            return connection;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client left while the stream was being opened.
            if (connection is not null) hub.Release(connection);
            return null;
        }
    }

    static async Task WriteAsync(Stream body, string text, CancellationToken ct) => await body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
}
