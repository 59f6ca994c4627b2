namespace Chorus.Server.Infrastructure;

/// <summary>
/// 64-bit time-ordered ids: 42 bits of milliseconds since 2025-01-01, 10 bits of node, 12 bits of sequence.
/// Ordering by id is ordering by creation time, so cursor paging needs no second column, and ids from
/// several nodes never collide as long as their node numbers differ.
/// </summary>
public sealed class IdGenerator
{
    public static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    const int NodeBits = 10, SequenceBits = 12;
    const long MaxSequence = (1L << SequenceBits) - 1;

    readonly TimeProvider _clock;
    long _node;
    readonly Lock _gate = new();
    long _lastMs = -1, _sequence;

    public IdGenerator(TimeProvider clock, int node)
    {
        if (node is < 0 or >= 1 << NodeBits) throw new ArgumentOutOfRangeException(nameof(node));
        _clock = clock;
        _node = node;
    }

    public int Node => (int)_node;

    /// <summary>Switches to a node number handed out by the database at start-up, before any id is made.</summary>
    public void UseNode(int node)
    {
        if (node is < 0 or >= 1 << NodeBits) throw new ArgumentOutOfRangeException(nameof(node));
        lock (_gate) _node = node;
    }

    public long Next() => NextAt(_clock.GetUtcNow().UtcDateTime);

    /// <summary>An id for a moment in the past or present (used by seeding and imports); still unique per generator.</summary>
    public long NextAt(DateTime utc)
    {
        var ms = (long)(utc - Epoch).TotalMilliseconds;
        if (ms < 0) ms = 0;
        lock (_gate)
        {
            // Never go backwards: a clock step back or an older timestamp reuses the last millisecond's sequence space.
            if (ms <= _lastMs && _lastMs - ms < 1000) ms = _lastMs;
            if (ms == _lastMs)
            {
                _sequence++;
                if (_sequence > MaxSequence) { ms = ++_lastMs; _sequence = 0; }
            }
            else if (ms > _lastMs)
            {
                _lastMs = ms;
                _sequence = 0;
            }
            else
            {
                // Back-dated ids far in the past (seeding): own sequence is enough within one run.
                _sequence = (_sequence + 1) & MaxSequence;
            }
            return (ms << (NodeBits + SequenceBits)) | (_node << SequenceBits) | _sequence;
        }
    }

    public static DateTime TimeOf(long id) => Epoch.AddMilliseconds(id >> (NodeBits + SequenceBits));

    /// <summary>The smallest id that could have been made at the given moment: a cursor for "older than this time".</summary>
    public static long FloorAt(DateTime utc) => Math.Max(0, (long)(utc - Epoch).TotalMilliseconds) << (NodeBits + SequenceBits);
}
