using Chorus.Server.Features.Auth;

namespace Chorus.Server.Features.Feeds;

/// <summary>
/// The side column's trending topics, computed at most once a minute on each node and shared by every member's pages.
/// <see cref="TopicService.TrendingAsync"/> counts a week of topic uses and joins each to its post to apply the
/// visibility rule: at the benchmark's organization size that took 0.5 s, on every page (bench/findings.md,
/// seventeenth session). The list is the same for every member — it counts only what the whole organization may
/// see — so one copy serves all; guests see none, as before. While one request refreshes a stale list, the others
/// are answered with the stale one instead of waiting (ADR 016).
/// </summary>
public sealed class TrendingTopics(TimeProvider clock)
{
    /// <summary>How long one computed list is shown.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>Topics in the side column.</summary>
    public const int Count = 6;

    sealed record Snapshot(DateTimeOffset At, IReadOnlyList<(string Tag, string Key, int Posts)> Topics);

    readonly SemaphoreSlim _refresh = new(1, 1);
    volatile Snapshot? _current;

    /// <summary>The list for <paramref name="viewer"/>'s pages; <paramref name="compute"/> (the request's
    /// <see cref="TopicService.TrendingAsync"/> for <see cref="Count"/> topics) runs when there is none or it is older
    /// than <see cref="Lifetime"/>.</summary>
    public async Task<IReadOnlyList<(string Tag, string Key, int Posts)>> GetAsync(
        Viewer viewer, Func<CancellationToken, Task<IReadOnlyList<(string Tag, string Key, int Posts)>>> compute, CancellationToken ct)
    {
        if (viewer.IsGuest) return [];
        var current = _current;
        if (current is not null && clock.GetUtcNow() - current.At < Lifetime) return current.Topics;
        // Someone is refreshing already: the stale list will do for this page.
        if (current is not null && !await _refresh.WaitAsync(0, ct)) return current.Topics;
        if (current is null) await _refresh.WaitAsync(ct);
        try
        {
            if (_current is { } fresh && clock.GetUtcNow() - fresh.At < Lifetime) return fresh.Topics;
            var at = clock.GetUtcNow();
            var list = await compute(ct);
            _current = new Snapshot(at, list);
            return list;
        }
        finally { _refresh.Release(); }
    }
}
