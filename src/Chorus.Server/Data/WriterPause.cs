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

    /// <summary>
    /// One turn, until the returned handle is disposed: the post writer takes one for each batch, the checkpointer one
    /// to hold the writer (it waits for the batch in progress, and no batch starts while it holds the turn).
    /// </summary>
    public async Task<IDisposable> TurnAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        return new Release(_turn);
    }

    sealed class Release(SemaphoreSlim turn) : IDisposable
    {
        int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) turn.Release(); }
    }
}
