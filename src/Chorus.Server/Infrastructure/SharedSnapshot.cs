namespace Chorus.Server.Infrastructure;

/// <summary>
/// A value that is the same for every request, costly to compute and fine a little stale: computed at most once per
/// <paramref name="lifetime"/> on this node and shared. When it is older, the first request to notice computes a new
/// one; requests that arrive while that runs get the stale value at once instead of waiting. A failed computation
/// leaves the old value in place for the next request to try again.
/// </summary>
public sealed class SharedSnapshot<T>(TimeProvider clock, TimeSpan lifetime) where T : class
{
    sealed record Entry(DateTimeOffset At, T Value);

    readonly SemaphoreSlim _refresh = new(1, 1);
    volatile Entry? _current;

    public TimeSpan Lifetime => lifetime;

    public async Task<T> GetAsync(Func<CancellationToken, Task<T>> compute, CancellationToken ct)
    {
        var current = _current;
        if (current is not null && clock.GetUtcNow() - current.At < lifetime) return current.Value;
        // Someone is refreshing already: the stale value will do for this request.
        if (current is not null && !await _refresh.WaitAsync(0, ct)) return current.Value;
        if (current is null) await _refresh.WaitAsync(ct);
        try
        {
            if (_current is { } fresh && clock.GetUtcNow() - fresh.At < lifetime) return fresh.Value;
            var at = clock.GetUtcNow();
            var value = await compute(ct);
            _current = new Entry(at, value);
            return value;
        }
        finally { _refresh.Release(); }
    }
}
