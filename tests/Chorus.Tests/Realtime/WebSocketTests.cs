using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chorus.Tests.Realtime;

public sealed class WebSocketTests(Servers servers)
{
    internal static async Task<ClientWebSocket> ConnectAsync(ChorusServer server, TestUser user)
    {
        var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", "Bearer " + user.Token);
        var http = server.ClientOptions.BaseAddress;
        var uri = new UriBuilder(server.CreateClient().BaseAddress!) { Scheme = "ws", Path = "/api/v1/streaming/ws" }.Uri;
        await ws.ConnectAsync(uri, CancellationToken.None);
        _ = http;
        return ws;
    }

    static Task SendAsync(ClientWebSocket ws, string json) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    internal static async Task<JsonElement?> ReceiveAsync(ClientWebSocket ws, TimeSpan? wait = null)
    {
        using var cts = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(20));
        var buffer = new byte[256 * 1024];
        var count = 0;
        try
        {
            while (true)
            {
                var r = await ws.ReceiveAsync(buffer.AsMemory(count), cts.Token);
                if (r.MessageType == WebSocketMessageType.Close) return null;
                count += r.Count;
                if (r.EndOfMessage) return JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
            }
        }
        catch (OperationCanceledException) { return null; }
    }

    static async Task<JsonElement> WaitForAsync(ClientWebSocket ws, Func<JsonElement, bool> match)
    {
        while (await ReceiveAsync(ws) is { } m) if (match(m)) return m;
        throw new Xunit.Sdk.XunitException($"The expected message did not arrive; servers: {await StreamDiagnostics.DescribeAsync()}");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Subscribe_receive_unsubscribe_and_resume_over_one_socket(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var author = await server.CreateUserAsync();
        var tag = "ws" + Guid.NewGuid().ToString("N")[..8];
        long last;
        using (var ws = await ConnectAsync(server, me))
        {
            await SendAsync(ws, $"{{\"type\":\"subscribe\",\"stream\":\"topic:{tag}\"}}");
            await WaitForAsync(ws, m => m.Str("event") == "subscribed");
            var id = (await (await author.PostAsync($"on #{tag}")).JsonAsync(HttpStatusCode.Created)).Str("id");
            var got = await WaitForAsync(ws, m => m.Str("event") == "post.created");
            Assert.Equal(id, got.GetProperty("payload").Str("id"));
            last = got.GetProperty("id").GetInt64();
            await SendAsync(ws, $"{{\"type\":\"unsubscribe\",\"stream\":\"topic:{tag}\"}}");
            await WaitForAsync(ws, m => m.Str("event") == "unsubscribed");
            await author.PostAsync($"unheard #{tag}");
            Assert.Null(await ReceiveAsync(ws, TimeSpan.FromSeconds(2)));
        }
        using var again = await ConnectAsync(server, me);
        await SendAsync(again, $"{{\"type\":\"subscribe\",\"stream\":\"topic:{tag}\",\"lastEventId\":\"{last}\"}}");
        await WaitForAsync(again, m => m.Str("event") == "subscribed");
        var missed = await WaitForAsync(again, m => m.Str("event") == "post.created");
        Assert.Contains("unheard", missed.GetProperty("payload").Str("text"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_messages_get_error_events_and_oversized_ones_close_the_socket(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        using var ws = await ConnectAsync(server, me);
        await SendAsync(ws, "not json");
        Assert.Equal("urn:chorus:problem:bad-request", (await WaitForAsync(ws, m => m.Str("event") == "error")).GetProperty("error").Str("type"));
        await SendAsync(ws, "{\"type\":\"subscribe\",\"stream\":\"nonsense\"}");
        Assert.Equal("urn:chorus:problem:validation", (await WaitForAsync(ws, m => m.Str("event") == "error")).GetProperty("error").Str("type"));
        await SendAsync(ws, "{\"type\":\"subscribe\",\"stream\":\"company\",\"lastEventId\":\"abc\"}");
        Assert.Equal("urn:chorus:problem:bad-request", (await WaitForAsync(ws, m => m.Str("event") == "error")).GetProperty("error").Str("type"));

        await SendAsync(ws, "{\"type\":\"subscribe\",\"stream\":\"" + new string('x', 5000) + "\"}");
        Assert.Null(await ReceiveAsync(ws));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
        Assert.False(string.IsNullOrEmpty(ws.CloseStatusDescription));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Revocation_closes_the_socket_with_a_reason(string db)
    {
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var tokenId = (await (await me.Client.GetAsync("/api/v1/me/tokens")).JsonAsync())[0].Str("id");
        using var ws = await ConnectAsync(server, me);
        await SendAsync(ws, "{\"type\":\"subscribe\",\"stream\":\"company\"}");
        await WaitForAsync(ws, m => m.Str("event") == "subscribed");
        await me.Client.DeleteAsync($"/api/v1/me/tokens/{tokenId}");
        // Other tests' posts may still arrive on the company stream until the close frame does.
        while (await ReceiveAsync(ws) is not null) { }
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        Assert.Contains("revoked", ws.CloseStatusDescription);
    }
}
