using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;

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

    readonly SharedSnapshot<IReadOnlyList<(string Tag, string Key, int Posts)>> _list = new(clock, Lifetime);

    /// <summary>The list for <paramref name="viewer"/>'s pages; <paramref name="compute"/> (the request's
    /// <see cref="TopicService.TrendingAsync"/> for <see cref="Count"/> topics) runs when there is none or it is older
    /// than <see cref="Lifetime"/>.</summary>
    public Task<IReadOnlyList<(string Tag, string Key, int Posts)>> GetAsync(
        Viewer viewer, Func<CancellationToken, Task<IReadOnlyList<(string Tag, string Key, int Posts)>>> compute, CancellationToken ct) =>
        viewer.IsGuest ? Task.FromResult<IReadOnlyList<(string, string, int)>>([]) : _list.GetAsync(compute, ct);
}
