using System.Collections.Concurrent;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// A bounded in-memory copy of values read from the database, kept right by invalidation when changes commit
/// (docs/adr/008-read-model.md). Three rules make it safe to read instead of the database:
/// <list type="bullet">
/// <item>A load is stamped before it reads (<see cref="Begin"/>) and stored only if nothing invalidated the key in
/// between (<see cref="Store"/>), so a value read before a commit is never kept after that commit's invalidation.
/// The stamp is the key's slot itself: invalidation removes the slot, so a store into a removed slot is dropped.</item>
/// <item>Entries older than the time to live are treated as missing: a safety net for changes made outside the server
/// (the CLI), never the way a change is seen.</item>
/// <item>At most <c>capacity</c> entries; beyond it the least recently used tenth is dropped, off the request path.</item>
/// </list>
/// </summary>
public sealed class ReadCache<TKey, TValue>(int capacity, TimeSpan timeToLive, TimeProvider? clock = null) where TKey : notnull
{
    readonly ConcurrentDictionary<TKey, Slot> _slots = new();
    readonly TimeProvider _clock = clock ?? TimeProvider.System;
    readonly long _ttlTicks = (long)(timeToLive.TotalSeconds * (clock ?? TimeProvider.System).TimestampFrequency);
    /// <summary>A use this close to the last recorded one is not recorded (see <see cref="TryGetAt"/>): 5 ms.</summary>
    readonly long _touchTicks = (clock ?? TimeProvider.System).TimestampFrequency / 200;
    int _count;
    int _trimming;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>How many keys the cache holds (including keys being loaded).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Hits and misses since start, for the metrics endpoint and tests.</summary>
    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);
    long _hits, _misses;

    public sealed class Slot
    {
        internal sealed record Box(TValue Value, long StoredAt);
        internal volatile Box? Value;
        internal long LastUsed;
    }

    /// <summary>What a loader holds between <see cref="Begin"/> and <see cref="Store"/>.</summary>
    public readonly record struct Stamp(TKey Key, Slot Slot);

    public bool TryGet(TKey key, out TValue value)
    {
        var hit = TryGetAt(key, _clock.GetTimestamp(), out value);
        Interlocked.Increment(ref hit ? ref _hits : ref _misses);
        return hit;
    }

    /// <summary>
    /// Looks up many keys with one reading of the clock and one update of the counters: a home feed asks for each of
    /// its reader's sources, a hundred or more per request, and per key those two cost more than the lookup (W2 in
    /// bench/findings.md). <paramref name="found"/>[i] says whether <paramref name="values"/>[i] holds keys[i]'s value;
    /// answers the number of hits.
    /// </summary>
    public int TryGetMany(IReadOnlyList<TKey> keys, Span<TValue> values, Span<bool> found)
    {
        var now = _clock.GetTimestamp();
        var hits = 0;
        for (var i = 0; i < keys.Count; i++)
            if (found[i] = TryGetAt(keys[i], now, out values[i])) hits++;
        if (hits > 0) Interlocked.Add(ref _hits, hits);
        if (hits < keys.Count) Interlocked.Add(ref _misses, keys.Count - hits);
        return hits;
    }

    bool TryGetAt(TKey key, long now, out TValue value)
    {
        if (_slots.TryGetValue(key, out var slot) && slot.Value is { } box)
        {
            if (now - box.StoredAt < _ttlTicks)
            {
                // Written only when it moved by more than a few milliseconds: a key every reader shares (a leader's
                // posts) would otherwise be written by every request on every core, its cache line passed between them.
                if (now - Volatile.Read(ref slot.LastUsed) > _touchTicks) Volatile.Write(ref slot.LastUsed, now);
                value = box.Value;
                return true;
            }
            Remove(key, slot);
        }
        value = default!;
        return false;
    }

    /// <summary>Call before reading the value from the database; pass the stamp to <see cref="Store"/>.</summary>
    public Stamp Begin(TKey key)
    {
        while (true)
        {
            if (_slots.TryGetValue(key, out var slot)) return new Stamp(key, slot);
            var fresh = new Slot { LastUsed = _clock.GetTimestamp() };
            if (_slots.TryAdd(key, fresh))
            {
                if (Interlocked.Increment(ref _count) > Capacity) Trim();
                return new Stamp(key, fresh);
            }
        }
    }

    /// <summary>Keeps a loaded value unless the key was invalidated (or evicted) since its <see cref="Begin"/>.</summary>
    public bool Store(Stamp stamp, TValue value)
    {
        if (!_slots.TryGetValue(stamp.Key, out var slot) || !ReferenceEquals(slot, stamp.Slot)) return false;
        var now = _clock.GetTimestamp();
        slot.Value = new Slot.Box(value, now);
        slot.LastUsed = now;
        // An invalidation between the check above and the write removed the slot: the value went into a slot nobody
        // reads any more, which is what should happen to it.
        return true;
    }

    /// <summary>The value, loaded with <paramref name="load"/> on a miss and kept by the rules above.</summary>
    public async ValueTask<TValue> GetOrLoadAsync(TKey key, Func<TKey, CancellationToken, Task<TValue>> load, CancellationToken ct)
    {
        if (TryGet(key, out var value)) return value;
        var stamp = Begin(key);
        value = await load(key, ct);
        Store(stamp, value);
        return value;
    }

    /// <summary>
    /// Values for many keys: hits from memory, and every miss in one call to <paramref name="load"/>, which returns
    /// what it found (keys it leaves out are missing from the result and are not cached).
    /// </summary>
    public async Task<Dictionary<TKey, TValue>> GetManyAsync(IEnumerable<TKey> keys,
        Func<IReadOnlyList<TKey>, CancellationToken, Task<Dictionary<TKey, TValue>>> load, CancellationToken ct)
    {
        var result = new Dictionary<TKey, TValue>();
        Dictionary<TKey, Stamp>? misses = null;
        var now = _clock.GetTimestamp();
        foreach (var key in keys)
        {
            if (result.ContainsKey(key) || misses?.ContainsKey(key) == true) continue;
            if (TryGetAt(key, now, out var value)) result[key] = value;
            else (misses ??= [])[key] = Begin(key);
        }
        if (result.Count > 0) Interlocked.Add(ref _hits, result.Count);
        if (misses is null) return result;
        Interlocked.Add(ref _misses, misses.Count);
        foreach (var (key, value) in await load([.. misses.Keys], ct))
        {
            result[key] = value;
            if (misses.TryGetValue(key, out var stamp)) Store(stamp, value);
        }
        return result;
    }

    /// <summary>Forgets the key: the next read loads it again, and a load in flight will not be kept.</summary>
    public void Invalidate(TKey key)
    {
        if (_slots.TryGetValue(key, out var slot)) Remove(key, slot);
    }

    /// <summary>Forgets every key whose value matches (a scan: for rare changes such as a group's audience).</summary>
    public void InvalidateWhere(Func<TKey, TValue, bool> predicate)
    {
        foreach (var (key, slot) in _slots)
            if (slot.Value is not { } box || predicate(key, box.Value)) Remove(key, slot);
    }

    /// <summary>Forgets everything, loads in flight included.</summary>
    public void Clear()
    {
        foreach (var (key, slot) in _slots) Remove(key, slot);
    }

    void Remove(TKey key, Slot slot)
    {
        if (_slots.TryRemove(new KeyValuePair<TKey, Slot>(key, slot))) Interlocked.Decrement(ref _count);
    }

    void Trim()
    {
        if (Interlocked.CompareExchange(ref _trimming, 1, 0) != 0) return;
        // Off the request that crossed the limit: sorting a large cache takes milliseconds.
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try
            {
                var target = Capacity - Capacity / 10;
                var excess = Count - target;
                if (excess <= 0) return;
                // The cut-off is the excess-th oldest use: found by sorting the bare timestamps, several times faster
                // than sorting the entries with a comparison delegate (2% of the server's CPU at W1's rate).
                var entries = _slots.ToArray();
                if (entries.Length == 0) return;
                var used = new long[entries.Length];
                for (var i = 0; i < entries.Length; i++) used[i] = Volatile.Read(ref entries[i].Value.LastUsed);
                Array.Sort(used);
                var cutoff = used[Math.Min(excess, used.Length) - 1];
                foreach (var (key, slot) in entries)
                {
                    if (excess <= 0) break;
                    if (Volatile.Read(ref slot.LastUsed) > cutoff) continue;
                    Remove(key, slot);
                    excess--;
                }
            }
            finally { Volatile.Write(ref _trimming, 0); }
        }, null);
    }
}
