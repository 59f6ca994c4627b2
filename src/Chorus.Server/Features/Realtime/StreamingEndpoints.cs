using System.Text;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Chorus.Server.Features.Realtime;

public static class StreamingEndpoints
{
    static readonly byte[] Preamble = "retry: 2000\n: connected\n\n"u8.ToArray();

    /// <summary>Where the Server-Sent Events stream is served.</summary>
    public const string Path = "/api/v1/streaming";

    /// <summary>
    /// Answers <c>GET /api/v1/streaming</c> ahead of the rest of the pipeline. An idle stream stays open for hours, so
    /// whatever its request holds is paid per connection (docs/benchmarks.md, memory per idle stream): every
    /// middleware it passed through keeps an async frame alive for as long as it stays open, and some keep state
    /// besides (status-code pages its options in <c>Items</c>, the security headers a callback). So the stream is
    /// answered right after the forwarded headers: it checks the credential itself the way the authentication
    /// handler does, sets the security headers itself, and answers an unexpected failure with the problem+json 500
    /// the exception handler would. Its services are the node's singletons, taken here once.
    /// </summary>
    public static IApplicationBuilder UseServerSentEvents(this IApplicationBuilder app)
    {
        var handler = Handler(app.ApplicationServices);
        return app.Use((http, next) =>
            HttpMethods.IsGet(http.Request.Method) && http.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase) ? handler(http) : next(http));
    }

    public static void MapStreamingEndpoints(this IEndpointRouteBuilder app)
    {
        // The route is what OpenAPI describes; a GET normally never reaches it (UseServerSentEvents answers first),
        // and when one does it gets the same handler, still without the authentication middleware (ShortCircuit).
        var handler = Handler(app.ServiceProvider);
        app.MapGet(Path, (Delegate)((HttpContext http) => handler(http)))
            .WithTags("Streaming").Produces(200, contentType: "text/event-stream").ProducesProblem(400).ProducesProblem(401)
            .WithSummary("Live events as Server-Sent Events: ?stream=user&stream=company&stream=topic:tag&stream=post:id; resume with Last-Event-ID")
            .ShortCircuit();
        app.MapGet("/api/v1/streaming/ws", WebSocketStream.HandleAsync).RequireAuthorization().WithTags("Streaming")
            .WithSummary("The same streams over a WebSocket with JSON subscribe/unsubscribe messages");
    }

    static RequestDelegate Handler(IServiceProvider services)
    {
        var hub = services.GetRequiredService<StreamHub>();
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var problems = services.GetRequiredService<IProblemDetailsService>();
        var handlers = services.GetServices<Microsoft.AspNetCore.Diagnostics.IExceptionHandler>().ToArray();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StreamingEndpoints).FullName!);
        return http => ServerSentEvents(http, hub, scopes, lifetime, problems, handlers, log);
    }

    static async Task ServerSentEvents(HttpContext http, StreamHub hub, IServiceScopeFactory scopes, IHostApplicationLifetime lifetime,
        IProblemDetailsService problems, Microsoft.AspNetCore.Diagnostics.IExceptionHandler[] handlers, ILogger log)
    {
        var ct = http.RequestAborted;
        SecurityHeaders.Apply(http.Response.Headers);
        StreamConnection? connection;
        try
        {
            connection = await OpenAsync(http, hub, scopes, problems, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // What the exception handler middleware does for every other endpoint (this one is answered ahead of it):
            // the same handlers name the problem (and log a real failure); what none of them handles is a 500.
            if (http.Response.HasStarted) { log.LogError(e, "Opening a stream failed"); return; }
            http.Response.Clear();
            SecurityHeaders.Apply(http.Response.Headers);
            foreach (var handler in handlers)
                if (await handler.TryHandleAsync(http, e, ct)) return;
            http.Response.StatusCode = 500;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 500, Title = "An unexpected error occurred." },
                Exception = e,
            });
            return;
        }
        if (connection is null) return;
        var body = http.Response.Body;
        try
        {
            // Ends on client disconnect, revocation, or server shutdown (the hub ends every stream then). Each of these
            // completes the outbox instead of cancelling a linked token source, so an idle stream holds one callback
            // registration, not a token source of its own and one registration per wait.
            using var onAbort = ct.UnsafeRegister(static c => ((StreamConnection)c!).End(), connection);
            // Shutdown ends every stream through the hub (StreamHub.EndAll); one that opened as it began was not there.
            if (lifetime.ApplicationStopping.IsCancellationRequested) connection.End();
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
        ChorusAuthenticationHandler.ForgetCredential(http);

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
        catch (Exception e)
        {
            // The client left while the stream was being opened, or opening failed (answered by the caller): either
            // way the hub must not keep the connection.
            if (connection is not null) hub.Release(connection);
            if (e is OperationCanceledException or IOException) return null;
            throw;
        }
    }

    static async Task WriteAsync(Stream body, string text, CancellationToken ct) => await body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
}
