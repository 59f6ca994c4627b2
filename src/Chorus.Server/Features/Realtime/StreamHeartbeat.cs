using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Realtime;

/// <summary>One timer per node queues a heartbeat on every idle stream, so idle streams hold no timer of their own.</summary>
public sealed class StreamHeartbeat(StreamHub hub, ChorusSettings settings) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.Streaming.HeartbeatSeconds));
        try { while (await timer.WaitForNextTickAsync(stop)) hub.Heartbeat(); }
        catch (OperationCanceledException) { }
    }
}
