namespace Chorus.Bench.Strategy;

public sealed record OrgShape(string Name, int People, int Posts, int Days, int Leaders, int Topics)
{
    public static OrgShape? For(string size) => size switch
    {
        "full" => new OrgShape("full", 100_000, 1_000_000, 90, 30, 200),
        "medium" => new OrgShape("medium", 30_000, 300_000, 90, 30, 200),
        "small" => new OrgShape("small", 10_000, 100_000, 90, 30, 100),
        _ => null,
    };

    public override string ToString() => $"{Name}: {People:N0} people, {Posts:N0} posts over {Days} days, {Leaders} leaders, {Topics} topics";
}

/// <summary>
/// A generated organization, deterministic for a shape. Person ids are 1..People; post ids are time-ordered like the
/// server's IdGenerator (milliseconds since 2025-01-01 shifted left 22 bits, plus a sequence).
/// </summary>
public sealed class Org
{
    public static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime End = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    public required OrgShape Shape { get; init; }
    public required int[][] Followees { get; init; }      // index = person id - 1, values are person ids
    public required int[] FollowerCount { get; init; }    // index = person id - 1
    public required int[][] TopicFollows { get; init; }   // index = person id - 1, values are topic ids
    public required long[] PostId { get; init; }
    public required int[] PostAuthor { get; init; }
    public required long[] PostReplyTo { get; init; }     // 0 for thread roots
    public required long[] PostRoot { get; init; }
    public required int[] PostTopic { get; init; }       // 0 for none
    public required bool[] PostDeleted { get; init; }
    /// <summary>Per generated group (group id = index + 2; id 1 is the server's all-company group): 0 public, 1 private, 2 secret.</summary>
    public required int[] GroupKind { get; init; }
    public required int[][] GroupMembers { get; init; }  // index = group id - 2, values are person ids, ascending
    public required int[] PostGroup { get; init; }       // 0 for the all-company stream, else a group id

    public long FollowCount => Followees.Sum(f => (long)f.Length);

    public static DateTime TimeOf(long id) => Epoch.AddMilliseconds(id >> 22);

    public static long IdAt(DateTime utc, int sequence) => ((long)(utc - Epoch).TotalMilliseconds << 22) | (uint)sequence;

    /// <summary>
    /// Follow graph: a head of leaders followed by 10–100% of everyone, then per person a log-normal number of
    /// followees (median ~100) picked from their neighbourhood (teams are runs of adjacent ids) or by preferential
    /// attachment (in proportion to followers so far), which grows a long tail of popular people.
    /// </summary>
    public static Org Generate(OrgShape shape, Action<string, double> progress)
    {
        var rnd = new Random(20261122);
        int n = shape.People;
        var followees = new int[n][];
        var followers = new int[n];
        var pool = new List<int>(n * 120);
        for (var i = 1; i <= n; i++) pool.Add(i);
        var leaderShare = Enumerable.Range(0, shape.Leaders).Select(j => 1.0 - 0.9 * j / Math.Max(1, shape.Leaders - 1)).ToArray();
        var set = new HashSet<int>();
        for (var u = 1; u <= n; u++)
        {
            set.Clear();
            var k = (int)Math.Clamp(Math.Exp(Math.Log(100) + 0.7 * Normal(rnd)), 10, 2000);
            for (var j = 0; j < shape.Leaders; j++)
                if (j + 1 != u && rnd.NextDouble() < leaderShare[j]) set.Add(j + 1);
            for (var attempts = 0; set.Count < k && attempts < k * 20; attempts++)
            {
                var r = rnd.NextDouble();
                var v = r < 0.4 ? Math.Clamp(u + rnd.Next(-300, 301), 1, n)
                    : r < 0.9 ? pool[rnd.Next(pool.Count)]
                    : rnd.Next(1, n + 1);
                if (v != u) set.Add(v);
            }
            var list = set.ToArray();
            Array.Sort(list);
            followees[u - 1] = list;
            foreach (var v in list) { followers[v - 1]++; pool.Add(v); }
            if (u % 1000 == 0) progress("follow graph", 0.5 * u / n);
        }

        var topicWeights = Cumulative(Enumerable.Range(1, shape.Topics).Select(t => 1.0 / t));
        var topicFollows = new int[n][];
        for (var u = 0; u < n; u++)
            topicFollows[u] = Enumerable.Range(0, rnd.Next(0, 7)).Select(_ => Pick(topicWeights, rnd) + 1).Distinct().Order().ToArray();

        // Activity: log-normal per person; leaders post about once a day.
        var activity = Enumerable.Range(0, n).Select(_ => Math.Exp(Normal(rnd))).ToArray();
        var mean = activity.Average();
        var perPerson = (double)shape.Posts / n;
        for (var j = 0; j < shape.Leaders; j++) activity[j] = mean * shape.Days / perPerson;
        var authorWeights = Cumulative(activity);

        var m = shape.Posts;
        var start = End.AddDays(-shape.Days);
        var spanMs = (long)(End - start).TotalMilliseconds;
        var times = new long[m];
        for (var i = 0; i < m; i++) times[i] = rnd.NextInt64(spanMs);
        Array.Sort(times);
        var ids = new long[m];
        var authors = new int[m];
        var replyTo = new long[m];
        var root = new long[m];
        var topic = new int[m];
        var deleted = new bool[m];
        int seq = 0;
        for (var i = 0; i < m; i++)
        {
            seq = i > 0 && times[i] == times[i - 1] ? seq + 1 : 0;
            ids[i] = IdAt(start.AddMilliseconds(times[i]), seq);
            authors[i] = Pick(authorWeights, rnd) + 1;
            if (i > 1000 && rnd.NextDouble() < 0.3)
            {
                var parent = i - 1 - rnd.Next(Math.Min(i - 1, 20_000));
                replyTo[i] = ids[parent];
                root[i] = root[parent];
            }
            else root[i] = ids[i];
            topic[i] = rnd.NextDouble() < 0.25 ? Pick(topicWeights, rnd) + 1 : 0;
            deleted[i] = rnd.NextDouble() < 0.005;
            if (i % 10_000 == 0) progress("posts", 0.5 + 0.5 * i / m);
        }
        var (groupKind, groupMembers, postGroup) = Groups(shape, authors, replyTo, ids);
        progress("done", 1);
        return new Org
        {
            Shape = shape, Followees = followees, FollowerCount = followers, TopicFollows = topicFollows,
            PostId = ids, PostAuthor = authors, PostReplyTo = replyTo, PostRoot = root, PostTopic = topic, PostDeleted = deleted,
            GroupKind = groupKind, GroupMembers = groupMembers, PostGroup = postGroup,
        };
    }

    /// <summary>
    /// Communities with power-law sizes: one group per 50 people, the g-th largest holding ~20%/g of everyone (at
    /// least 5), members drawn mostly from a neighbourhood of ids (a team) and the rest at random; 70% public, 25%
    /// private, 5% secret. A quarter of thread roots whose author belongs to a group are posted in one of their
    /// groups; replies stay in their thread's group. Its own random stream, so the follow graph and posts of the
    /// earlier generator are unchanged.
    /// </summary>
    static (int[] Kind, int[][] Members, int[] PostGroup) Groups(OrgShape shape, int[] authors, long[] replyTo, long[] ids)
    {
        var rnd = new Random(7);
        int n = shape.People, count = Math.Max(1, n / 50);
        var kind = new int[count];
        var members = new int[count][];
        var ofPerson = new List<int>?[n + 1];
        var set = new HashSet<int>();
        for (var g = 0; g < count; g++)
        {
            var r = rnd.NextDouble();
            kind[g] = r < 0.70 ? 0 : r < 0.95 ? 1 : 2;
            var size = (int)Math.Clamp(0.2 * n / (g + 1), 5, n);
            var centre = rnd.Next(1, n + 1);
            set.Clear();
            for (var attempts = 0; set.Count < size && attempts < size * 20; attempts++)
                set.Add(rnd.NextDouble() < 0.6 ? Math.Clamp(centre + rnd.Next(-size, size + 1), 1, n) : rnd.Next(1, n + 1));
            members[g] = [.. set.Order()];
            foreach (var person in members[g]) (ofPerson[person] ??= []).Add(g + 2);
        }
        var postGroup = new int[ids.Length];
        var byId = new Dictionary<long, int>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            byId[ids[i]] = i;
            if (replyTo[i] != 0) postGroup[i] = byId.TryGetValue(replyTo[i], out var parent) ? postGroup[parent] : 0;
            else if (ofPerson[authors[i]] is { Count: > 0 } mine && rnd.NextDouble() < 0.25) postGroup[i] = mine[rnd.Next(mine.Count)];
        }
        return (kind, members, postGroup);
    }

    static double Normal(Random rnd) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - rnd.NextDouble())) * Math.Cos(2.0 * Math.PI * rnd.NextDouble());

    static double[] Cumulative(IEnumerable<double> weights)
    {
        var acc = 0.0;
        return weights.Select(w => acc += w).ToArray();
    }

    static int Pick(double[] cumulative, Random rnd)
    {
        var i = Array.BinarySearch(cumulative, rnd.NextDouble() * cumulative[^1]);
        return Math.Min(i < 0 ? ~i : i, cumulative.Length - 1);
    }
}
