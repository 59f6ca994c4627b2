using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chorus.Tests.Realtime;

/// <summary>A node that is stopping ends its streams at once, so clients reconnect to another node with their last event id.</summary>
public sealed class StreamShutdownTests
{
    [Fact]
    public async Task Stopping_the_server_ends_its_sse_and_websocket_streams()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "chorus-tests", Guid.NewGuid().ToString("N"));
        using var server = new ChorusServer("Sqlite", new Dictionary<string, string?> { ["Chorus:DataDirectory"] = dataDir });
        var user = await server.CreateUserAsync();
        await using var sse = await SseClient.ConnectAsync(user.Client, "company");
        using var ws = await WebSocketTests.ConnectAsync(server, user);

        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        // Kestrel would only abort the connections after its shutdown timeout (30 s); the hub ends them first.
        Assert.Null(await sse.NextAsync(TimeSpan.FromSeconds(20)));
        Assert.True(sse.Ended, "the stream should have been ended by the server, not timed out");
        Assert.Null(await WebSocketTests.ReceiveAsync(ws));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.CloseStatus);
        Assert.Contains("reconnect", ws.CloseStatusDescription);
    }
}
