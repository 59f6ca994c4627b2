namespace Chorus.Server.Features.Feeds;

/// <summary>
/// Merges newest-first id lists into one newest-first list without duplicates (a post can come from its author and
/// from a followed topic). A source whose known ids are used up but which has more below <see cref="Source.Next"/> is
/// read further only when one of its ids could still come next, so a merge over a hundred sources reads the database
/// only for the few that reach the page.
/// </summary>
public sealed class FeedMerge
{
    /// <summary>A source's ids from <paramref name="at"/> on (newest first), and where it continues.</summary>
    public sealed class Source
    {
        public Source(SourceKey key, long[] ids, int at, long? next)
            : this(key, ids, ids.Length, at, at < ids.Length ? ids[at] : 0, next) { }

        /// <summary>
        /// With the list's length and the id at <paramref name="at"/> already known (a cached list keeps its length and
        /// newest id beside it): the merge reads the ids themselves only for sources that reach the page, not for the
        /// hundred others a home feed opens, each of whose arrays would be a miss in the CPU's cache.
        /// </summary>
        public Source(SourceKey key, long[] ids, int count, int at, long head, long? next)
        {
            Key = key;
            Ids = ids;
            Count = count;
            At = at;
            Head = head;
            Next = next;
        }

        public SourceKey Key { get; }
        internal long[] Ids;
        internal int Count;
        internal int At;
        /// <summary>The id at <see cref="At"/> while <see cref="HasHead"/>.</summary>
        internal long Head;
        /// <summary>More ids may exist below this one (null: <see cref="Ids"/> is the rest of the source).</summary>
        internal long? Next;
        internal bool HasHead => At < Count;

        internal void Advance()
        {
            if (++At < Count) Head = Ids[At];
        }

        internal void Continue(long[] ids, long? next)
        {
            Ids = ids;
            Count = ids.Length;
            At = 0;
            Head = Count > 0 ? ids[0] : 0;
            Next = next;
        }
    }

    public delegate Task<(long[] Ids, long? Next)> ReadMore(SourceKey key, long below, CancellationToken ct);

    /// <summary>Sources by their head id, newest first: the priority is the negated id (ids are positive), so the queue
    /// compares with the default comparer of long, inlined, instead of calling a comparison delegate; a home feed's
    /// merge compares a hundred or more sources on every read.</summary>
    readonly PriorityQueue<Source, long> _heads;
    readonly List<Source> _waiting = [];
    readonly long _before;
    long _last = long.MaxValue;

    public FeedMerge(IReadOnlyList<Source> sources, long before)
    {
        _heads = new PriorityQueue<Source, long>(sources.Count);
        _before = before;
        for (var i = 0; i < sources.Count; i++) Place(sources[i]);
    }

    void Place(Source s)
    {
        if (s.HasHead) _heads.Enqueue(s, -s.Head);
        else if (s.Next is not null) _waiting.Add(s);
    }

    /// <summary>The last id given out (null before the first): everything newer has been given.</summary>
    public long? LastId => _last == long.MaxValue ? null : _last;

    /// <summary>The index of the first id below <paramref name="before"/> in a newest-first list (its length if none).</summary>
    public static int Below(long[] ids, long before)
    {
        // The common case (a first page, or a source with nothing as new as the cursor) without a binary search: a
        // home feed opens a hundred or more sources per request, and each probe is likely a miss in the CPU's cache.
        if (ids.Length == 0 || ids[0] < before) return 0;
        int lo = 0, hi = ids.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ids[mid] >= before) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>Up to <paramref name="count"/> more ids, newest first, all below the cursor; empty when every source is used up.</summary>
    public async Task<List<long>> NextAsync(int count, ReadMore readMore, CancellationToken ct)
    {
        var result = new List<long>(count);
        while (result.Count < count)
        {
            var hasHead = _heads.TryPeek(out _, out var negated);
            var head = -negated;
            // A waiting source must be read on before anything below its next id is given out.
            var due = _waiting.Count == 0 ? null : _waiting.Where(s => !hasHead || s.Next!.Value > head).ToList();
            if (due is { Count: > 0 })
            {
                foreach (var s in due)
                {
                    _waiting.Remove(s);
                    var (ids, next) = await readMore(s.Key, Math.Min(s.Next!.Value, _before), ct);
                    s.Continue(ids, next);
                    Place(s);
                }
                continue;
            }
            if (!hasHead) break;
            var source = _heads.Dequeue();
            var id = source.Head;
            source.Advance();
            Place(source);
            if (id >= _last || id >= _before) continue;
            _last = id;
            result.Add(id);
        }
        return result;
    }
}
