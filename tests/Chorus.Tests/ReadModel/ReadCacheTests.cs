using Chorus.Server.Features.Feeds;
using Chorus.Server.Infrastructure;

namespace Chorus.Tests.ReadModel;

/// <summary>The rules that make ReadCache safe to read instead of the database (docs/adr/008-read-model.md).</summary>
public sealed class ReadCacheTests
{
    [Fact]
    public void A_value_loaded_before_an_invalidation_is_not_kept()
    {
        var cache = new ReadCache<int, string>(100, TimeSpan.FromMinutes(5));
        var stamp = cache.Begin(1);        // a reader starts loading
        cache.Invalidate(1);               // a writer commits and invalidates meanwhile
        Assert.False(cache.Store(stamp, "stale"));
        Assert.False(cache.TryGet(1, out _));

        var fresh = cache.Begin(1);
        Assert.True(cache.Store(fresh, "fresh"));
        Assert.True(cache.TryGet(1, out var value));
        Assert.Equal("fresh", value);
    }

    [Fact]
    public void Clear_and_predicate_invalidation_also_void_loads_in_flight()
    {
        var cache = new ReadCache<int, string>(100, TimeSpan.FromMinutes(5));
        var inFlight = cache.Begin(1);
        cache.Clear();
        Assert.False(cache.Store(inFlight, "stale"));

        cache.Store(cache.Begin(2), "two");
        cache.Store(cache.Begin(3), "three");
        cache.InvalidateWhere((key, _) => key == 2);
        Assert.False(cache.TryGet(2, out _));
        Assert.True(cache.TryGet(3, out _));
    }

    [Fact]
    public void Entries_older_than_the_time_to_live_are_read_again()
    {
        var clock = new ManualClock();
        var cache = new ReadCache<int, string>(100, TimeSpan.FromSeconds(10), clock);
        cache.Store(cache.Begin(1), "one");
        clock.Advance(TimeSpan.FromSeconds(4.9)); // an entry lives at least half the time to live
        Assert.True(cache.TryGet(1, out _));
        clock.Advance(TimeSpan.FromSeconds(5.2));
        Assert.False(cache.TryGet(1, out _));
    }

    [Fact]
    public void Entries_stored_together_expire_spread_over_the_second_half_of_the_time_to_live()
    {
        var clock = new ManualClock();
        var cache = new ReadCache<int, int>(10_000, TimeSpan.FromSeconds(100), clock);
        for (var i = 0; i < 1_000; i++) cache.Store(cache.Begin(i), i);
        int Alive() => Enumerable.Range(0, 1_000).Count(i => cache.TryGet(i, out _));

        clock.Advance(TimeSpan.FromSeconds(49));
        Assert.Equal(1_000, Alive());
        clock.Advance(TimeSpan.FromSeconds(13)); // 62 s: about a quarter gone
        Assert.InRange(Alive(), 600, 900);
        clock.Advance(TimeSpan.FromSeconds(25)); // 87 s: about three quarters gone
        Assert.InRange(Alive(), 100, 400);
        clock.Advance(TimeSpan.FromSeconds(13)); // 100 s: the time to live is the limit
        Assert.Equal(0, Alive());
    }

    [Fact]
    public async Task The_cache_stays_near_its_capacity_dropping_the_least_recently_used()
    {
        var clock = new ManualClock();
        var cache = new ReadCache<int, int>(100, TimeSpan.FromMinutes(5), clock);
        for (var i = 0; i < 100; i++)
        {
            cache.Store(cache.Begin(i), i);
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        cache.TryGet(0, out _); // recently used again
        clock.Advance(TimeSpan.FromMilliseconds(1));
        for (var i = 100; i < 120; i++) cache.Store(cache.Begin(i), i);
        for (var wait = 0; wait < 100 && cache.Count > 100; wait++) await Task.Delay(20); // the trim runs off the caller's thread
        Assert.InRange(cache.Count, 1, 100);
        Assert.True(cache.TryGet(0, out _));
        Assert.False(cache.TryGet(1, out _));
    }

    [Fact]
    public async Task GetMany_loads_only_the_misses_in_one_call()
    {
        var cache = new ReadCache<int, string>(100, TimeSpan.FromMinutes(5));
        cache.Store(cache.Begin(1), "one");
        var asked = new List<IReadOnlyList<int>>();
        var result = await cache.GetManyAsync([1, 2, 3, 2], (missing, _) =>
        {
            asked.Add(missing);
            // 3 does not exist: left out of the answer and not cached.
            return Task.FromResult(missing.Where(k => k != 3).ToDictionary(k => k, k => $"loaded {k}"));
        }, default);
        Assert.Equal([2, 3], Assert.Single(asked).Order());
        Assert.Equal(new Dictionary<int, string> { [1] = "one", [2] = "loaded 2" }, result);
        Assert.True(cache.TryGet(2, out _));
        Assert.False(cache.TryGet(3, out _));
    }

    [Fact]
    public void TryGetMany_answers_hits_misses_and_expired_entries_as_TryGet_does_and_counts_them()
    {
        var clock = new ManualClock();
        var cache = new ReadCache<int, string>(100, TimeSpan.FromSeconds(10), clock);
        cache.Store(cache.Begin(1), "one");
        clock.Advance(TimeSpan.FromSeconds(6.5));
        cache.Store(cache.Begin(2), "two");
        clock.Advance(TimeSpan.FromSeconds(4)); // 1 is past its time to live, 2 is not (an entry lives 5 to 10 s)
        var values = new string[4];
        var found = new bool[4];
        var hits = cache.TryGetMany([1, 2, 3, 2], values, found);
        Assert.Equal(2, hits);
        Assert.Equal([false, true, false, true], found);
        Assert.Equal("two", values[1]);
        Assert.Equal("two", values[3]);
        Assert.Equal((2L, 2L), (cache.Hits, cache.Misses));
        Assert.False(cache.TryGet(1, out _)); // the expired entry was dropped
    }

    [Fact]
    public void A_kept_entry_is_used_only_while_it_is_the_keys_current_one()
    {
        var clock = new ManualClock();
        var cache = new ReadCache<int, string>(100, TimeSpan.FromSeconds(10), clock);
        cache.Store(cache.Begin(1), "one");
        cache.Store(cache.Begin(2), "two");
        var hints = new ReadCache<int, string>.Entry?[3];
        var values = new string[3];
        var found = new bool[3];

        Assert.Equal(2, cache.TryGetMany([1, 2, 3], hints, values, found));
        Assert.Equal([true, true, false], found);
        Assert.NotNull(hints[0]);
        Assert.Null(hints[2]);
        var kept = hints[0];

        // A change forgets key 1 and a reader loads it again: the kept entry is gone, the new value is read.
        cache.Invalidate(1);
        Assert.Equal(1, cache.TryGetMany([1, 2, 3], hints, values, found));
        Assert.Equal([false, true, false], found);
        Assert.Null(hints[0]);
        hints[0] = kept; // a concurrent request of the same reader writes back the entry it found before
        cache.Store(cache.Begin(1), "one, edited");
        cache.TryGetMany([1, 2, 3], hints, values, found);
        Assert.Equal("one, edited", values[0]);
        Assert.NotSame(kept, hints[0]);

        // Past the time to live a kept entry is not used either, and the key is dropped.
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(0, cache.TryGetMany([1, 2, 3], hints, values, found));
        Assert.False(cache.TryGet(2, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Kept_entries_of_cleared_or_predicate_invalidated_keys_are_not_used()
    {
        var cache = new ReadCache<int, string>(10, TimeSpan.FromMinutes(5));
        for (var i = 0; i < 3; i++) cache.Store(cache.Begin(i), $"v{i}");
        var hints = new ReadCache<int, string>.Entry?[3];
        var values = new string[3];
        var found = new bool[3];
        Assert.Equal(3, cache.TryGetMany([0, 1, 2], hints, values, found));

        cache.InvalidateWhere((key, _) => key == 1);
        Assert.Equal([true, false, true], Hits());
        cache.Clear();
        Assert.Equal([false, false, false], Hits());

        bool[] Hits()
        {
            cache.TryGetMany([0, 1, 2], hints, values, found);
            return [.. found];
        }
    }

    [Fact]
    public void Two_loads_of_one_key_keep_the_first_value_stored_and_a_load_after_an_invalidation_is_dropped()
    {
        var cache = new ReadCache<int, string>(100, TimeSpan.FromMinutes(5));
        var first = cache.Begin(1);
        var second = cache.Begin(1); // a second reader loads the same key meanwhile
        Assert.True(cache.Store(first, "first"));
        Assert.False(cache.Store(second, "second"));
        Assert.True(cache.TryGet(1, out var value));
        Assert.Equal("first", value);

        var third = cache.Begin(1); // the key holds a value: nothing changed since, so that value stays
        Assert.True(cache.Store(third, "third"));
        Assert.True(cache.TryGet(1, out value));
        Assert.Equal("first", value);
        cache.Invalidate(1);
        Assert.False(cache.Store(third, "third"));
        Assert.False(cache.TryGet(1, out _));
    }

    sealed class ManualClock : TimeProvider
    {
        long _ticks = 1_000_000;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

public sealed class FeedMergeTests
{
    static FeedMerge.Source Source(long id, long[] ids, long? next = null) => new(new SourceKey(SourceKind.Author, id), ids, 0, next);

    [Fact]
    public async Task Merges_newest_first_without_duplicates_and_reads_a_source_further_only_when_it_could_come_next()
    {
        var reads = new List<(long Source, long Below)>();
        var merge = new FeedMerge([
            Source(1, [90, 50, 40], next: 40), // more below 40 in the database
            Source(2, [80, 50, 10]),           // 50 again: the same post from a followed topic
            Source(3, [70], next: 70),         // more below 70
        ], before: long.MaxValue);
        Task<(long[], long?)> More(SourceKey key, long below, CancellationToken ct)
        {
            reads.Add((key.Id, below));
            return Task.FromResult<(long[], long?)>(key.Id == 3 ? ([60, 45], null) : ([30, 20], null));
        }

        Assert.Equal([90, 80, 70], await merge.NextAsync(3, More, default));
        Assert.Empty(reads); // nothing below 70 was given out yet
        Assert.Equal([60, 50, 45, 40, 30, 20, 10], await merge.NextAsync(10, More, default));
        Assert.Equal([(3L, 70L), (1L, 40L)], reads);
        Assert.Empty(await merge.NextAsync(5, More, default));
    }

    [Fact]
    public async Task Sources_opened_with_their_known_length_and_head_merge_as_sources_read_from_their_arrays()
    {
        long[][] lists = [[95, 60, 20], [90, 80], [], [70, 65, 10]];
        const long before = 85;
        var fromArrays = new FeedMerge(lists.Select((ids, i) => new FeedMerge.Source(new SourceKey(SourceKind.Author, i), ids, FeedMerge.Below(ids, before), null)).ToList(), before);
        var fromEntries = new FeedMerge(lists.Select((ids, i) =>
        {
            var list = new SourceList(ids, Complete: true);
            var at = list.Count == 0 || list.Newest < before ? 0 : FeedMerge.Below(ids, before);
            return new FeedMerge.Source(new SourceKey(SourceKind.Author, i), ids, list.Count, at, at == 0 ? list.Newest : at < list.Count ? ids[at] : 0, null);
        }).ToList(), before);
        static Task<(long[], long?)> None(SourceKey key, long below, CancellationToken ct) => throw new InvalidOperationException("complete lists are never read further");

        var expected = await fromArrays.NextAsync(10, None, default);
        Assert.Equal([80, 70, 65, 60, 20, 10], expected);
        Assert.Equal(expected, await fromEntries.NextAsync(10, None, default));
    }

    [Fact]
    public void Below_finds_the_first_id_under_the_cursor()
    {
        long[] ids = [90, 80, 70];
        Assert.Equal(0, FeedMerge.Below(ids, long.MaxValue));
        Assert.Equal(1, FeedMerge.Below(ids, 90));
        Assert.Equal(1, FeedMerge.Below(ids, 85));
        Assert.Equal(3, FeedMerge.Below(ids, 70));
        Assert.Equal(0, FeedMerge.Below([], 5));
        Assert.Equal(0, FeedMerge.Below(ids, 91));
        Assert.Equal(2, FeedMerge.Below(ids, 71));
        Assert.Equal(3, FeedMerge.Below(ids, 1));
    }
}
