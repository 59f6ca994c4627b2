using System.Collections.Concurrent;
using Chorus.Server.Data;
using Chorus.Server.Features.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Realtime;

/// <summary>
/// What a failed stream wait adds to its message: for every server of the run, where its dispatcher stands against
/// the event log. Tells "the event was never routed" from "delivery is behind" when a test fails under load.
/// </summary>
public static class StreamDiagnostics
{
    static readonly ConcurrentDictionary<ChorusServer, byte> Running = new();

    public static void Track(ChorusServer server)
    {
        Running[server] = 0;
        SseClient.Describe = async () => "; servers: " + await DescribeAsync();
    }

    public static void Forget(ChorusServer server) => Running.TryRemove(server, out _);

    public static async Task<string> DescribeAsync()
    {
        var lines = new List<string>();
        foreach (var server in Running.Keys)
        {
            try
            {
                var hub = server.Services.GetRequiredService<StreamHub>();
                var (head, waiting, oldest) = await server.InDbAsync(async db => (
                    await db.Events.MaxAsync(e => e.Seq),
                    await db.Events.CountAsync(e => e.Seq == null),
                    await db.Events.Where(e => e.Seq == null).MinAsync(e => (DateTime?)e.CreatedAt)));
                lines.Add($"{server.Provider}: dispatched {hub.DispatchedSeq}, numbered up to {head}, {waiting} unnumbered" +
                          (oldest is { } o ? $" (oldest {(DateTime.UtcNow - o).TotalSeconds:F1} s)" : "") + $", {hub.ConnectionCount} streams");
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException) { }
        }
        return string.Join("; ", lines);
    }
}
