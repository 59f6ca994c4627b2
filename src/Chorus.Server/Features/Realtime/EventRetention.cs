using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// Prunes the event log: an event goes once it is older than the retention window AND outside the newest
/// RetentionEvents — whichever keeps more. Unnumbered events are never pruned. Safe to run on every node at once.
/// </summary>
public sealed class EventRetention(IServiceScopeFactory scopes, ChorusSettings settings, TimeProvider clock, ILogger<EventRetention> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var pruned = await PruneAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), settings, clock, stop);
                if (pruned > 0) log.LogInformation("Pruned {Count} old events", pruned);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Event pruning failed; will retry");
            }
        }
    }

    public static async Task<int> PruneAsync(ChorusDb db, ChorusSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var head = await db.Events.MaxAsync(e => e.Seq, ct) ?? 0;
        var keepFrom = head - settings.Streaming.RetentionEvents;
        var cutoff = clock.GetUtcNow().UtcDateTime.AddHours(-settings.Streaming.RetentionHours);
        return await db.Events.Where(e => e.Seq != null && e.Seq <= keepFrom && e.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
