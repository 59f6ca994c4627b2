using System.Collections.Concurrent;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// A bounded in-memory copy of values read from the database, kept right by invalidation when changes commit
/// (docs/adr/008-read-model.md). Three rules make it safe to read instead of the database:
/// <list type="bullet">
/// <item>A load is stamped before it reads (<see cref="Begin"/>) and stored only if nothing invalidated the key in
/// between (<see cref="Store"/>), so a value read before a commit is never kept after that commit's invalidation.
/// The stamp is the key's entry itself, a load in flight: a store swaps it for the value only if the key still holds
/// it, and invalidation removes it first.</item>
/// <item>Entries older than the time to live are treated as missing: a safety net for changes made outside the server
/// (the CLI), never the way a change is seen. Each entry lives a random time between half the time to live and all of
/// it, so entries loaded together (a server's first minutes under load) do not all expire, and load again, in the same
/// second: with one lifetime for all, a read load stalled for seconds at every time to live (bench/findings.md, W2,
/// tenth session).</item>
/// <item>At most <c>capacity</c> entries; beyond it the least recently used tenth is dropped, off the request path.</item>
/// </list>
/// </summary>
public sealed class ReadCache<TKey, TValue>(int capacity, TimeSpan timeToLive, TimeProvider? clock = null) where TKey : notnull
{
    readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    readonly TimeProvider _clock = clock ?? TimeProvider.System;
    readonly long _ttlTicks = (long)(timeToLive.TotalSeconds * (clock ?? TimeProvider.System).TimestampFrequency);
    /// <summary>A use this close to the last recorded one is not recorded (see <see cref="TryGetAt"/>): 5 ms.</summary>
    readonly long _touchTicks = (clock ?? TimeProvider.System).TimestampFrequency / 200;
    int _count;
    int _trimming;
    /// <summary>The trim's timestamps, kept for the next trim (one runs at a time): a pooled array would stay behind in
    /// each thread that ran a trim.</summary>
    long[]? _used;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>A new entry's lifetime: between half the time to live and all of it (see the class remarks).</summary>
    long Lifetime() => _ttlTicks - Random.Shared.NextInt64(_ttlTicks / 2 + 1);

    /// <summary>How many keys the cache holds (including keys being loaded).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Hits and misses since start, for the metrics endpoint and tests.</summary>
    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);
    long _hits, _misses;

    /// <summary>
    /// A key's place in the cache: a load in flight (<see cref="Begin"/>), or a value and when it was stored. A loaded
    /// entry never changes its value; a new value is a new entry. Once an entry leaves the cache (invalidated, expired,
    /// evicted) it says so, so a caller may keep an entry as a hint and skip the lookup while it stays current
    /// (<see cref="TryGetMany(IReadOnlyList{TKey}, Span{Entry}, Span{TValue}, Span{bool})"/>).
    /// </summary>
    public sealed class Entry
    {
        internal readonly TValue Value = default!;
        internal readonly long ExpiresAt;
        internal readonly bool Loaded;
        internal long LastUsed;
        bool _dropped;

        internal Entry(long now) => LastUsed = now;

        internal Entry(TValue value, long now, long lifetime)
        {
            Value = value;
            LastUsed = now;
            ExpiresAt = now + lifetime;
            Loaded = true;
        }

        internal bool Dropped => Volatile.Read(ref _dropped);
        internal void Drop() => Volatile.Write(ref _dropped, true);
    }

    /// <summary>What a loader holds between <see cref="Begin"/> and <see cref="Store"/>.</summary>
    public readonly record struct Stamp(TKey Key, Entry Entry);

    public bool TryGet(TKey key, out TValue value)
    {
        var hit = TryGetAt(key, _clock.GetTimestamp(), out _, out value);
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
            if (found[i] = TryGetAt(keys[i], now, out _, out values[i])) hits++;
        Tally(hits, keys.Count);
        return hits;
    }

    /// <summary>
    /// As <see cref="TryGetMany(IReadOnlyList{TKey}, Span{TValue}, Span{bool})"/>, with an entry per key that the caller
    /// keeps between calls: while a kept entry is still the key's current one, the lookup is skipped. A home feed's
    /// sources are a hundred or more entries spread over memory; each lookup walks the table's bucket and node before
    /// the entry, each likely a miss in the CPU's cache (W2 in bench/findings.md). <paramref name="hints"/>[i] is set
    /// to keys[i]'s entry on a hit, and to null on a miss.
    /// </summary>
    public int TryGetMany(IReadOnlyList<TKey> keys, Span<Entry?> hints, Span<TValue> values, Span<bool> found)
    {
        var now = _clock.GetTimestamp();
        var hits = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var entry = hints[i];
            if (entry is not null && !entry.Dropped && Fresh(keys[i], entry, now))
            {
                values[i] = entry.Value;
                found[i] = true;
                hits++;
                continue;
            }
            found[i] = TryGetAt(keys[i], now, out hints[i], out values[i]);
            if (found[i]) hits++;
        }
        Tally(hits, keys.Count);
        return hits;
    }

    void Tally(int hits, int asked)
    {
        if (hits > 0) Interlocked.Add(ref _hits, hits);
        if (hits < asked) Interlocked.Add(ref _misses, asked - hits);
    }

    bool TryGetAt(TKey key, long now, out Entry? found, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Loaded && Fresh(key, entry, now))
        {
            found = entry;
            value = entry.Value;
            return true;
        }
        found = null;
        value = default!;
        return false;
    }

    /// <summary>Whether a loaded entry is within its time to live (and records the use); drops it when it is not.</summary>
    bool Fresh(TKey key, Entry entry, long now)
    {
        if (now >= entry.ExpiresAt)
        {
            Remove(key, entry);
            return false;
        }
        // Written only when it moved by more than a few milliseconds: a key every reader shares (a leader's posts)
        // would otherwise be written by every request on every core, its cache line passed between them.
        if (now - Volatile.Read(ref entry.LastUsed) > _touchTicks) Volatile.Write(ref entry.LastUsed, now);
        return true;
    }

    /// <summary>Call before reading the value from the database; pass the stamp to <see cref="Store"/>.</summary>
    public Stamp Begin(TKey key)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.Loaded && _clock.GetTimestamp() >= entry.ExpiresAt)
                {
                    Remove(key, entry);
                    continue;
                }
                return new Stamp(key, entry);
            }
            var fresh = new Entry(_clock.GetTimestamp());
            if (_entries.TryAdd(key, fresh))
            {
                if (Interlocked.Increment(ref _count) > Capacity) Trim();
                return new Stamp(key, fresh);
            }
        }
    }

    /// <summary>
    /// Keeps a loaded value unless the key was invalidated (or evicted) since its <see cref="Begin"/>. When another
    /// load of the same key was kept meanwhile, that value stays: nothing changed since, so it is as current as this one.
    /// </summary>
    public bool Store(Stamp stamp, TValue value)
    {
        if (stamp.Entry.Loaded)
            return _entries.TryGetValue(stamp.Key, out var current) && ReferenceEquals(current, stamp.Entry);
        // Entry has no Equals of its own: the swap happens only if the key still holds this very load in flight. An
        // invalidation removes it first, and a store after that finds nothing to swap.
        return _entries.TryUpdate(stamp.Key, new Entry(value, _clock.GetTimestamp(), Lifetime()), stamp.Entry);
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
        // Sized for every key when their number is known (a feed page's authors): no growing and rehashing on the way.
        var result = keys.TryGetNonEnumeratedCount(out var count) ? new Dictionary<TKey, TValue>(count) : new Dictionary<TKey, TValue>();
        Dictionary<TKey, Stamp>? misses = null;
        var now = _clock.GetTimestamp();
        foreach (var key in keys)
        {
            if (result.ContainsKey(key) || misses?.ContainsKey(key) == true) continue;
            if (TryGetAt(key, now, out _, out var value)) result[key] = value;
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
        if (!_entries.TryRemove(key, out var entry)) return;
        Interlocked.Decrement(ref _count);
        entry.Drop();
    }

    /// <summary>Forgets every key whose value matches (a scan: for rare changes such as a group's audience).</summary>
    public void InvalidateWhere(Func<TKey, TValue, bool> predicate)
    {
        foreach (var (key, entry) in _entries)
        {
            // A load in flight may be swapped for its value at any moment, and that value may predate the change:
            // forget whatever the key holds. A loaded entry is only ever removed, never swapped.
            if (!entry.Loaded) Invalidate(key);
            else if (predicate(key, entry.Value)) Remove(key, entry);
        }
    }

    /// <summary>Forgets everything, loads in flight included.</summary>
    public void Clear()
    {
        foreach (var key in _entries.Keys) Invalidate(key);
    }

    /// <summary>Removes the entry if it is still the key's, and marks it gone for whoever keeps it as a hint.</summary>
    void Remove(TKey key, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry))) Interlocked.Decrement(ref _count);
        entry.Drop();
    }

    void Trim()
    {
        if (Interlocked.CompareExchange(ref _trimming, 1, 0) != 0) return;
        // Off the request that crossed the limit: sorting a large cache takes milliseconds.
        ThreadPool.UnsafeQueueUserWorkItem(static cache => cache.TrimNow(), this, preferLocal: false);
    }

    /// <summary>
    /// Drops the least recently used entries down to nine tenths of the capacity. Runs every tenth of the capacity's
    /// new keys (under W1's posting, every ~2 s), too seldom for the runtime to tier it up: it ran unoptimized, and
    /// copied the table into a 1.6 MB snapshot each time (bench/findings.md, twenty-third session). Now compiled
    /// optimized at once, with the timestamps in <see cref="_used"/> and no snapshot: the second pass removes what is at
    /// or below the cut-off (entries added meanwhile are newer). Most of its time is the two walks over the table.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    void TrimNow()
    {
        try
        {
            var target = Capacity - Capacity / 10;
            var excess = Count - target;
            if (excess <= 0) return;
            // The cut-off is the excess-th oldest use: found by sorting the bare timestamps, several times faster than
            // sorting the entries with a comparison delegate (2% of the server's CPU at W1's rate).
            var used = _used is { } kept && kept.Length >= Count + 64 ? kept : _used = new long[Count + Count / 8 + 64];
            var n = 0;
            foreach (var (_, entry) in _entries)
            {
                if (n == used.Length) break;
                used[n++] = Volatile.Read(ref entry.LastUsed);
            }
            if (n == 0) return;
            Array.Sort(used, 0, n);
            var cutoff = used[Math.Min(excess, n) - 1];
            foreach (var (key, entry) in _entries)
            {
                if (excess <= 0) break;
                if (Volatile.Read(ref entry.LastUsed) > cutoff) continue;
                Remove(key, entry);
                excess--;
            }
        }
        finally { Volatile.Write(ref _trimming, 0); }
    }
}
