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

    static async Task ServerSentEvents(HttpContext http, Viewer viewer, StreamHub hub, StreamSession session, ChorusSettings settings, CancellationToken ct)
    {
        var streams = http.Request.Query["stream"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var last = StreamSession.ParseLastEventId(http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["lastEventId"].FirstOrDefault());
        if (!last.Ok) { await last.Problem!.ToResult().ExecuteAsync(http); return; }
        var resolved = await session.ResolveAsync(viewer, streams, 0, ct);
        if (!resolved.Ok) { await resolved.Problem!.ToResult().ExecuteAsync(http); return; }
        var opened = hub.Open(viewer);
        if (!opened.Ok) { await opened.Problem!.ToResult().ExecuteAsync(http); return; }
        var connection = opened.Value!;
        try
        {
            var head = hub.Attach(connection, resolved.Value!);
            http.Response.ContentType = "text/event-stream; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache, no-transform";
            // Proxies such as nginx must not buffer a stream (docs/operations.md).
            http.Response.Headers["X-Accel-Buffering"] = "no";
            var body = http.Response.Body;
            await WriteAsync(body, "retry: 2000\n: connected\n\n", ct);
            await body.FlushAsync(ct);

            if (last.Value is { } after)
            {
                if (!await session.ReplayAsync(connection, after, head, m => WriteEventAsync(body, m, ct), ct))
                    await WriteAsync(body, $"event: resync\ndata: {{\"reason\":\"The events after {after} are no longer kept; refetch and reconnect without Last-Event-ID.\"}}\n\n", ct);
                await body.FlushAsync(ct);
            }
            connection.LastSentSeq = Math.Max(head, last.Value ?? 0);

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, connection.Closed);
            var heartbeat = TimeSpan.FromSeconds(settings.Streaming.HeartbeatSeconds);
            var reader = connection.Outbox;
            while (!linked.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
                wait.CancelAfter(heartbeat);
                bool more;
                try { more = await reader.WaitToReadAsync(wait.Token); }
                catch (OperationCanceledException) when (!linked.IsCancellationRequested)
                {
                    await WriteAsync(body, ": ping\n\n", ct);
                    await body.FlushAsync(ct);
                    continue;
                }
                if (!more) break;
                while (reader.TryRead(out var message))
                {
                    if (message.Seq <= connection.LastSentSeq) continue;
                    await WriteEventAsync(body, message, ct);
                    connection.LastSentSeq = message.Seq;
                }
                await body.FlushAsync(ct);
            }
            if (connection.CloseReason is { } reason && !ct.IsCancellationRequested)
            {
                await WriteAsync(body, $"event: error\ndata: {System.Text.Json.JsonSerializer.Serialize(new { reason })}\n\n", CancellationToken.None);
                await body.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested || connection.Closed.IsCancellationRequested) { }
        catch (IOException) { /* the client went away */ }
        finally
        {
            hub.Release(connection);
        }
    }

    static Task WriteEventAsync(Stream body, StreamMessage m, CancellationToken ct) =>
        WriteAsync(body, $"id: {m.Seq}\nevent: {m.Event}\ndata: {m.Data}\n\n", ct);

    static async Task WriteAsync(Stream body, string text, CancellationToken ct) => await body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
}
