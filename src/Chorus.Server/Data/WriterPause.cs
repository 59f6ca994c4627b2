namespace Chorus.Server.Data;

/// <summary>
/// Lets <see cref="SqliteCheckpointer"/> hold the post writer between two of its batches (ADR 011). SQLite starts its
/// write-ahead log over only when a write begins right after a checkpoint copied all of it; under sustained posting the
/// writer commits again before a background checkpoint ends, so the log grew by gigabytes (W1, bench/findings.md).
/// Held for one short checkpoint, the next write finds the log fully copied and starts it over.
/// </summary>
public sealed class WriterPause
{
    readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Waits for the writer's batch in progress to end; no batch starts until the returned handle is disposed.</summary>
    public async Task<IDisposable> HoldAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        return new Release(_turn);
    }

    /// <summary>The writer's side: one batch at a time, never while the writer is held.</summary>
    public Task<IDisposable> BatchAsync(CancellationToken ct) => HoldAsync(ct);

    sealed class Release(SemaphoreSlim turn) : IDisposable
    {
        int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) turn.Release(); }
    }
}
