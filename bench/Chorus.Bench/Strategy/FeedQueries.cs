using System.Data.Common;

namespace Chorus.Bench.Strategy;

/// <summary>
/// The three ways to produce one home-feed page of post rows. The read-time SQL is what EF generates for
/// FeedService.HomeAsync (captured with EF command logging), so this measures the server's own query shape.
/// Each method returns the page's ids and the next cursor exactly as FeedService.MergeAsync computes them.
/// </summary>
public sealed class FeedQueries : IDisposable
{
    const string Roots = "p.deleted_at IS NULL AND p.group_id IS NULL AND p.reply_to_id IS NULL AND p.id < @before";

    readonly DbCommand _byPeople, _byTopics, _topicsOf, _byOneTopic, _timeline, _celebrities, _hydrate;

    public FeedQueries(StrategyStore store, int pageSize)
    {
        PageSize = pageSize;
        _byPeople = store.Prepare($"""
            SELECT p.id FROM posts AS p
            WHERE {Roots} AND (p.author_id = @me OR p.author_id IN (SELECT f.followee_id FROM follows AS f WHERE f.follower_id = @me))
            ORDER BY p.id DESC LIMIT @n
            """, "@before", "@me", "@n");
        _byTopics = store.Prepare("""
            SELECT pt.post_id FROM post_topics AS pt
            INNER JOIN (SELECT p0.id FROM posts AS p0 WHERE p0.deleted_at IS NULL AND p0.group_id IS NULL AND p0.reply_to_id IS NULL AND p0.id < @before) AS p1
                ON pt.post_id = p1.id
            WHERE pt.topic_id IN (SELECT t.topic_id FROM topic_follows AS t WHERE t.person_id = @me)
            ORDER BY pt.post_id DESC LIMIT @n
            """, "@before", "@me", "@n");
        _topicsOf = store.Prepare("SELECT t.topic_id FROM topic_follows AS t WHERE t.person_id = @me", "@me");
        _byOneTopic = store.Prepare("""
            SELECT pt.post_id FROM post_topics AS pt
            INNER JOIN (SELECT p0.id FROM posts AS p0 WHERE p0.deleted_at IS NULL AND p0.group_id IS NULL AND p0.reply_to_id IS NULL AND p0.id < @before) AS p1
                ON pt.post_id = p1.id
            WHERE pt.topic_id = @me
            ORDER BY pt.post_id DESC LIMIT @n
            """, "@before", "@me", "@n");
        _timeline = store.Prepare(
            "SELECT t.post_id FROM timelines AS t WHERE t.owner_id = @me AND t.post_id < @before ORDER BY t.post_id DESC LIMIT @n",
            "@me", "@before", "@n");
        _celebrities = store.Prepare($"""
            SELECT p.id FROM posts AS p
            WHERE {Roots} AND p.author_id IN (
                SELECT f.followee_id FROM follows AS f JOIN celebrities AS c ON c.person_id = f.followee_id WHERE f.follower_id = @me)
            ORDER BY p.id DESC LIMIT @n
            """, "@before", "@me", "@n");
        // The page's rows, as FeedService loads them before rendering; rendering queries are the same for every strategy.
        _hydrate = store.Prepare(
            "SELECT id, author_id, text, html, reply_to_id, root_id, share_of_id, group_id, created_at, edited_at, deleted_at FROM posts WHERE id IN ("
            + string.Join(", ", Enumerable.Range(0, pageSize).Select(i => "@i" + i)) + ")",
            Enumerable.Range(0, pageSize).Select(i => "@i" + i).ToArray());
    }

    public int PageSize { get; }

    public (List<long> Page, long? Next) ReadTime(long me, long before) =>
        Finish(Ids(_byPeople, me, before), Ids(_byTopics, me, before));

    /// <summary>Read-time assembly with one query per followed topic (FeedService since the per-topic change).</summary>
    public (List<long> Page, long? Next) ReadTimePerTopic(long me, long before)
    {
        var topics = new List<long>();
        _topicsOf.Parameters["@me"].Value = me;
        using (var reader = _topicsOf.ExecuteReader())
            while (reader.Read()) topics.Add(reader.GetInt64(0));
        // _byOneTopic binds the topic id to @me so Ids() can drive it like the other queries.
        return Finish([Ids(_byPeople, me, before), .. topics.Select(t => Ids(_byOneTopic, t, before))]);
    }

    /// <summary>Stored timelines already hold everything (people and topics) that belongs in the feed.</summary>
    public (List<long> Page, long? Next) Stored(long me, long before) => Finish(Ids(_timeline, me, before));

    /// <summary>Stored rows for ordinary authors, plus celebrities' posts pulled at read time.</summary>
    public (List<long> Page, long? Next) Hybrid(long me, long before) =>
        Finish(Ids(_timeline, me, before), Ids(_celebrities, me, before));

    /// <summary>The first <paramref name="count"/> ids of the read-time feed, used to fill stored timelines truthfully.</summary>
    public List<long> ReadTimeIds(long me, int count)
    {
        var all = new List<long>();
        long before = long.MaxValue;
        while (all.Count < count)
        {
            var (page, next) = ReadTime(me, before);
            all.AddRange(page);
            if (next is null) break;
            before = next.Value;
        }
        return all;
    }

    List<long> Ids(DbCommand cmd, long me, long before)
    {
        cmd.Parameters["@me"].Value = me;
        cmd.Parameters["@before"].Value = before;
        cmd.Parameters["@n"].Value = (long)(PageSize + 1); // prepared as bigint: Npgsql rejects an int32 value later
        var ids = new List<long>(PageSize + 1);
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    /// <summary>FeedService.MergeAsync: only ids above the highest cut-off of a full list are certain to be complete.</summary>
    (List<long> Page, long? Next) Finish(params List<long>[] sources)
    {
        var n = PageSize;
        var floor = sources.Where(s => s.Count > n).Select(s => s[^1]).DefaultIfEmpty(long.MinValue).Max();
        var merged = sources.SelectMany(s => s).Where(id => id >= floor).Distinct().OrderByDescending(id => id).ToList();
        var more = merged.Count > n || sources.Any(s => s.Count > n);
        var page = merged.Take(n).ToList();
        for (var i = 0; i < n; i++) _hydrate.Parameters[i].Value = i < page.Count ? page[i] : -1L;
        using (var reader = _hydrate.ExecuteReader())
            while (reader.Read()) _ = reader.GetString(3);
        return (page, more && page.Count > 0 ? page[^1] : null);
    }

    public void Dispose()
    {
        foreach (var c in new[] { _byPeople, _byTopics, _topicsOf, _byOneTopic, _timeline, _celebrities, _hydrate }) c.Dispose();
    }
}
