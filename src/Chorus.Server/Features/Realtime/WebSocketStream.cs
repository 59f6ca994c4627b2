using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// The streams over one WebSocket, in the shape of Mastodon's streaming API. Client → server:
/// <c>{"type":"subscribe","stream":"topic:launch"}</c>, <c>{"type":"unsubscribe","stream":"..."}</c>; the first
/// subscribe may carry <c>"lastEventId"</c> to resume. Server → client: <c>{"id":123,"event":"post.created",
/// "stream":["company"],"payload":{...}}</c>, <c>{"event":"subscribed"|"unsubscribed","stream":"..."}</c>,
/// <c>{"event":"error","error":{...problem...}}</c>, <c>{"event":"resync",...}</c>.
/// Protocol violations close with 1008 (policy) or 1009 (too big) and a reason.
/// </summary>
public static class WebSocketStream
{
    public const int MaxMessageBytes = 4096;

    sealed record ClientMessage(string? Type, string? Stream, string? LastEventId);

    public static async Task HandleAsync(HttpContext http, Viewer viewer, StreamHub hub, StreamSession session, ChorusSettings settings,
        IServiceProvider services, CancellationToken ct)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Problem.BadRequest("Upgrade", "This endpoint speaks WebSocket; use /api/v1/streaming for Server-Sent Events.").ToResult().ExecuteAsync(http);
            return;
        }
        var opened = hub.Open(viewer);
        if (!opened.Ok) { await opened.Problem!.ToResult().ExecuteAsync(http); return; }
        var connection = opened.Value!;
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, connection.Closed);
        var sendGate = new SemaphoreSlim(1, 1);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        async Task SendAsync(string text)
        {
            await sendGate.WaitAsync(CancellationToken.None);
            try { await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None); }
            finally { sendGate.Release(); }
        }
        Task SendEventAsync(StreamMessage m) =>
            SendAsync($"{{\"id\":{m.Seq},\"event\":{JsonSerializer.Serialize(m.Event)},\"payload\":{m.Data}}}");

        // The pump starts after the first subscription, once any replay is written, so replayed events come first.
        Task? pump = null;
        Task Pump() => Task.Run(async () =>
        {
            try
            {
                var reader = connection.Outbox;
                while (await reader.WaitToReadAsync(linked.Token))
                    while (reader.TryRead(out var m))
                    {
                        if (m.IsHeartbeat || m.Seq <= connection.LastSentSeq) continue;
                        await SendEventAsync(m);
                        connection.LastSentSeq = m.Seq;
                    }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ChannelClosedException) { }
        }, CancellationToken.None);

        // Revocation or deactivation: say why in a close frame. Cancelling a pending receive would abort the socket
        // without a close handshake, so the receive loop waits on the request token only and ends on the client's reply.
        using var onClosed = connection.Closed.Register(() => _ = Task.Run(async () =>
        {
            await sendGate.WaitAsync(CancellationToken.None);
            try
            {
                // No reason: the stream was ended, not closed — the server is stopping (1001, going away).
                var (status, reason) = connection.CloseReason is { } why
                    ? (WebSocketCloseStatus.PolicyViolation, why)
                    : (WebSocketCloseStatus.EndpointUnavailable, "The server is stopping; reconnect with the last event id.");
                if (socket.State == WebSocketState.Open)
                    await socket.CloseOutputAsync(status, reason.Length > 120 ? reason[..120] : reason, CancellationToken.None);
            }
            catch (WebSocketException) { }
            finally { sendGate.Release(); }
        }));

        string? closeReason = null;
        var closeStatus = WebSocketCloseStatus.NormalClosure;
        try
        {
            var buffer = new byte[MaxMessageBytes + 1];
            while (socket.State == WebSocketState.Open && !ct.IsCancellationRequested)
            {
                var (count, type) = await ReceiveAsync(socket, buffer, ct);
                if (type == WebSocketMessageType.Close) break;
                if (count > MaxMessageBytes) { (closeStatus, closeReason) = (WebSocketCloseStatus.MessageTooBig, $"Messages may be at most {MaxMessageBytes} bytes."); break; }
                if (type != WebSocketMessageType.Text) { (closeStatus, closeReason) = (WebSocketCloseStatus.InvalidMessageType, "Send JSON text messages."); break; }

                ClientMessage? message;
                try { message = JsonSerializer.Deserialize<ClientMessage>(buffer.AsSpan(0, count), json); }
                catch (JsonException) { message = null; }
                if (message?.Type is not ("subscribe" or "unsubscribe") || string.IsNullOrWhiteSpace(message.Stream))
                {
                    await SendAsync(ErrorJson(Problem.BadRequest("message", "Send {\"type\":\"subscribe\"|\"unsubscribe\",\"stream\":\"...\"}.")));
                    continue;
                }
                if (message.Type == "unsubscribe")
                {
                    hub.Unsubscribe(connection, message.Stream);
                    await SendAsync($"{{\"event\":\"unsubscribed\",\"stream\":{JsonSerializer.Serialize(message.Stream)}}}");
                    continue;
                }

                var last = StreamSession.ParseLastEventId(message.LastEventId);
                if (!last.Ok) { await SendAsync(ErrorJson(last.Problem!)); continue; }
                await using var scope = services.CreateAsyncScope();
                var scoped = scope.ServiceProvider.GetRequiredService<StreamSession>();
                var resolved = await scoped.ResolveAsync(viewer, [message.Stream], connection.HasStream(message.Stream) ? connection.StreamCount - 1 : connection.StreamCount, linked.Token);
                if (!resolved.Ok) { await SendAsync(ErrorJson(resolved.Problem!)); continue; }
                var head = hub.Attach(connection, resolved.Value!);
                await SendAsync($"{{\"event\":\"subscribed\",\"stream\":{JsonSerializer.Serialize(message.Stream)}}}");
                if (pump is null)
                {
                    if (last.Value is { } after && !await scoped.ReplayAsync(connection, after, head, SendEventAsync, linked.Token))
                        await SendAsync($"{{\"event\":\"resync\",\"reason\":\"The events after {after} are no longer kept; refetch and resubscribe without lastEventId.\"}}");
                    connection.LastSentSeq = Math.Max(head, last.Value ?? 0);
                    pump = Pump();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        finally
        {
            // Revoked or deactivated: the close frame with the reason went out from the Closed registration.
            if (connection.CloseReason is null)
            {
                await sendGate.WaitAsync(CancellationToken.None);
                try
                {
                    if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        var text = closeReason ?? "bye";
                        await socket.CloseAsync(closeStatus, text.Length > 120 ? text[..120] : text, CancellationToken.None);
                    }
                }
                catch (WebSocketException) { }
                finally { sendGate.Release(); }
            }
            hub.Release(connection);
            if (pump is not null) await pump;
        }
    }

    static string ErrorJson(Problem p) =>
        JsonSerializer.Serialize(new { @event = "error", error = new { type = p.Type, title = p.Title, status = p.Status, detail = p.Detail } });

    /// <summary>Reads one whole message; a message longer than the buffer is reported by its length, not read further.</summary>
    static async Task<(int Count, WebSocketMessageType Type)> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        var count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(Math.Min(count, buffer.Length - 1)), ct);
            if (result.MessageType == WebSocketMessageType.Close) return (0, WebSocketMessageType.Close);
            count += result.Count;
            if (count > MaxMessageBytes) return (count, result.MessageType);
            if (result.EndOfMessage) return (count, result.MessageType);
        }
    }
}
