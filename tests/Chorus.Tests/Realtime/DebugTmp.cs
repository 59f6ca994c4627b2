namespace Chorus.Tests.Realtime;

public sealed class DebugTmp(Servers servers)
{
    [Fact]
    public async Task Dbg()
    {
        void Log(string s) => File.AppendAllText("/tmp/dbg.log", $"{DateTime.UtcNow:HH:mm:ss.fff} {s}\n");
        var server = servers["Sqlite"];
        Log("server");
        var me = await server.CreateUserAsync();
        Log("user");
        await using var sse = await SseClient.ConnectAsync(me.Client, "company");
        Log("connected");
        await me.PostAsync("x");
        Log("posted");
        var e = await sse.NextAsync(TimeSpan.FromSeconds(5));
        Log("next " + e?.Event);
        var f = await sse.NextAsync(TimeSpan.FromSeconds(2));
        Log("next2 " + f?.Event);
    }
}
