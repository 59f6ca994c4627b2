using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// One timer per node queues the heartbeats, so idle streams hold no timer of their own. It pings a different slice
/// of the streams every tenth of a second rather than all of them at once: every ping is a socket write that rents
/// a 4 KiB block from Kestrel's memory pool, and the pool keeps as many blocks as were ever in use together, so
/// pinging 10,000 streams in one burst left ~40 MB (4 KiB per idle stream) in the pool for good (docs/benchmarks.md).
/// </summary>
public sealed class StreamHeartbeat(StreamHub hub, ChorusSettings settings) : BackgroundService
{
    public const int SlicesPerSecond = 10;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var slices = settings.Streaming.HeartbeatSeconds * SlicesPerSecond;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / SlicesPerSecond));
        var slice = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                hub.Heartbeat(slice, slices);
                slice = (slice + 1) % slices;
            }
        }
        catch (OperationCanceledException) { }
    }
}
