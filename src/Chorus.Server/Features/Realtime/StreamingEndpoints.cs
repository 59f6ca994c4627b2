using System.Text;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Realtime;

public static class StreamingEndpoints
{
    public static void MapStreamingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/streaming", ServerSentEvents).RequireAuthorization().WithTags("Streaming")
            .WithSummary("Live events as Server-Sent Events: ?stream=user&stream=company&stream=topic:tag&stream=post:id; resume with Last-Event-ID");
        app.MapGet("/api/v1/streaming/ws", WebSocketStream.HandleAsync).RequireAuthorization().WithTags("Streaming")
            .WithSummary("The same streams over a WebSocket with JSON subscribe/unsubscribe messages");
    }

    static async Task ServerSentEvents(HttpContext http, Viewer viewer, StreamHub hub, IServiceScopeFactory scopes,
        IHostApplicationLifetime lifetime, CancellationToken ct)
    {
        var streams = http.Request.Query["stream"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var last = StreamSession.ParseLastEventId(http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["lastEventId"].FirstOrDefault());
        if (!last.Ok) { await last.Problem!.ToResult().ExecuteAsync(http); return; }

        StreamConnection? connection = null;
        try
        {
            var body = http.Response.Body;
            // Resolving and replaying need the database; an idle stream must not keep a DbContext (or any scoped
            // service) alive for hours, so they run in a scope of their own that ends before the stream waits.
            await using (var scope = scopes.CreateAsyncScope())
            {
                var session = scope.ServiceProvider.GetRequiredService<StreamSession>();
                var resolved = await session.ResolveAsync(viewer, streams, 0, ct);
                if (!resolved.Ok) { await resolved.Problem!.ToResult().ExecuteAsync(http); return; }
                var opened = hub.Open(viewer);
                if (!opened.Ok) { await opened.Problem!.ToResult().ExecuteAsync(http); return; }
                connection = opened.Value!;
                var head = hub.Attach(connection, resolved.Value!);
                http.Response.ContentType = "text/event-stream; charset=utf-8";
                http.Response.Headers.CacheControl = "no-cache, no-transform";
                // Proxies such as nginx must not buffer a stream (docs/operations.md).
                http.Response.Headers["X-Accel-Buffering"] = "no";
                await body.WriteAsync("retry: 2000\n: connected\n\n"u8.ToArray(), ct);
                await body.FlushAsync(ct);
                if (last.Value is { } after)
                {
                    if (!await session.ReplayAsync(connection, after, head, m => body.WriteAsync(m.SseFrame, ct).AsTask(), ct))
                        await WriteAsync(body, $"event: resync\ndata: {{\"reason\":\"The events after {after} are no longer kept; refetch and reconnect without Last-Event-ID.\"}}\n\n", ct);
                    await body.FlushAsync(ct);
                }
                connection.LastSentSeq = Math.Max(head, last.Value ?? 0);
            }

            // Ends on client disconnect, revocation, or server shutdown (so clients reconnect to another node at once).
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, connection.Closed, lifetime.ApplicationStopping);
            var reader = connection.Outbox;
            while (await reader.WaitToReadAsync(linked.Token))
            {
                while (reader.TryRead(out var message))
                {
                    if (!message.IsHeartbeat)
                    {
                        if (message.Seq <= connection.LastSentSeq) continue;
                        connection.LastSentSeq = message.Seq;
                    }
                    await body.WriteAsync(message.SseFrame, linked.Token);
                }
                await body.FlushAsync(linked.Token);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { /* the client went away */ }
        finally
        {
            if (connection is not null)
            {
                if (connection.CloseReason is { } reason && !ct.IsCancellationRequested)
                {
                    try
                    {
                        await WriteAsync(http.Response.Body, $"event: error\ndata: {System.Text.Json.JsonSerializer.Serialize(new { reason })}\n\n", CancellationToken.None);
                        await http.Response.Body.FlushAsync(CancellationToken.None);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException) { }
                }
                hub.Release(connection);
            }
        }
    }

    static async Task WriteAsync(Stream body, string text, CancellationToken ct) => await body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
}
