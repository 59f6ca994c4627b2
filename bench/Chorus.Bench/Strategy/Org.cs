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
    /// <summary>Per person (index = id - 1): the manager's id, 0 for the head of the organization.</summary>
    public required int[] Manager { get; init; }
    /// <summary>Per person: an index into <see cref="DepartmentNames"/>.</summary>
    public required int[] Department { get; init; }
    public required string[] DepartmentNames { get; init; }
    /// <summary>Per person: the job title (shared string instances).</summary>
    public required string[] JobTitle { get; init; }
    /// <summary>Per post: the length its text aims at (<see cref="Text"/> ends within a word of it).</summary>
    public required int[] PostLength { get; init; }
    /// <summary>Per post: the people it mentions, ascending (mostly empty).</summary>
    public required int[][] PostMentions { get; init; }
    /// <summary>Reactions, ordered by post index and then person: post index, person id and kind (an index into <see cref="ReactionKinds"/>).</summary>
    public required int[] ReactionPost { get; init; }
    public required int[] ReactionPerson { get; init; }
    public required byte[] ReactionKind { get; init; }

    /// <summary>The server's reaction names (Reactions.All).</summary>
    public static readonly string[] ReactionKinds = ["like", "love", "celebrate", "insightful", "laugh", "sad"];

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
        var (manager, department, departmentNames, jobTitle) = People(shape);
        var (length, mentions) = Texts(shape, authors, followees);
        var (reactionPost, reactionPerson, reactionKind) = Reactions(shape, authors, deleted);
        progress("done", 1);
        return new Org
        {
            Shape = shape, Followees = followees, FollowerCount = followers, TopicFollows = topicFollows,
            PostId = ids, PostAuthor = authors, PostReplyTo = replyTo, PostRoot = root, PostTopic = topic, PostDeleted = deleted,
            GroupKind = groupKind, GroupMembers = groupMembers, PostGroup = postGroup,
            Manager = manager, Department = department, DepartmentNames = departmentNames, JobTitle = jobTitle,
            PostLength = length, PostMentions = mentions,
            ReactionPost = reactionPost, ReactionPerson = reactionPerson, ReactionKind = reactionKind,
        };
    }

    static readonly string[] Divisions =
        ["Engineering", "Sales", "Marketing", "Finance", "Operations", "Customer Support", "Manufacturing", "Research", "Legal", "People", "Product", "Logistics"];

    static readonly string[] Roles =
        ["Engineer", "Senior Engineer", "Analyst", "Specialist", "Coordinator", "Consultant", "Designer", "Account Executive", "Technician", "Planner", "Associate", "Advisor"];

    /// <summary>
    /// The manager tree and departments: breadth first in id order, each person in turn taking the next 3–10 people
    /// as direct reports until everyone has a manager. So a team's members are adjacent ids (as in the follow graph),
    /// ~15% of people manage, and the tree is ~7 levels deep. The head's direct reports lead divisions; their direct
    /// reports lead the departments everyone below them belongs to. Its own random stream, so the rest is unchanged.
    /// </summary>
    static (int[] Manager, int[] Department, string[] Names, string[] Title) People(OrgShape shape)
    {
        var rnd = new Random(17);
        int n = shape.People;
        var manager = new int[n];
        var depth = new int[n];
        var department = new int[n];
        var title = new string[n];
        var names = new List<string> { "Office of the CEO" };
        var divisionOf = new int[n];
        int next = 2;
        for (var m = 1; m <= n && next <= n; m++)
        {
            var span = rnd.Next(3, 11);
            for (var k = 0; k < span && next <= n; k++, next++)
            {
                manager[next - 1] = m;
                depth[next - 1] = depth[m - 1] + 1;
                divisionOf[next - 1] = depth[next - 1] == 1 ? next : divisionOf[m - 1];
                if (depth[next - 1] == 2)
                {
                    var division = Divisions[(divisionOf[next - 1] - 2) % Divisions.Length];
                    names.Add($"{division} {names.Count(d => d.StartsWith(division + " ", StringComparison.Ordinal)) + 1}");
                    department[next - 1] = names.Count - 1;
                }
                else department[next - 1] = depth[next - 1] < 2 ? 0 : department[m - 1];
            }
        }
        var manages = new bool[n];
        foreach (var m in manager) if (m > 0) manages[m - 1] = true;
        for (var i = 0; i < n; i++)
            title[i] = depth[i] switch
            {
                0 => "Chief Executive Officer",
                1 => "Executive Vice President",
                2 => "Vice President",
                3 when manages[i] => "Director",
                _ when manages[i] => "Manager",
                _ => Roles[rnd.Next(Roles.Length)],
            };
        return (manager, department, [.. names], title);
    }

    /// <summary>
    /// Post lengths and mentions. Lengths are log-normal with a median of 200 characters and a long tail cut at the
    /// server's limit of 5,000. A fifth of posts mention one to three people: mostly someone the author follows, else a
    /// team neighbour. The words themselves come from <see cref="Text"/>, made on demand from the post's index.
    /// </summary>
    static (int[] Length, int[][] Mentions) Texts(OrgShape shape, int[] authors, int[][] followees)
    {
        var rnd = new Random(23);
        int n = shape.People, m = authors.Length;
        var length = new int[m];
        var mentions = new int[m][];
        var set = new SortedSet<int>();
        for (var i = 0; i < m; i++)
        {
            length[i] = (int)Math.Clamp(Math.Exp(Math.Log(200) + 0.8 * Normal(rnd)), 20, MaxTextLength - 200);
            mentions[i] = [];
            if (rnd.NextDouble() >= 0.2) continue;
            set.Clear();
            var author = authors[i];
            var count = rnd.Next(1, 4);
            for (var attempts = 0; set.Count < count && attempts < 10; attempts++)
            {
                var mine = followees[author - 1];
                var who = mine.Length > 0 && rnd.NextDouble() < 0.7 ? mine[rnd.Next(mine.Length)] : Math.Clamp(author + rnd.Next(-300, 301), 1, n);
                if (who != author) set.Add(who);
            }
            mentions[i] = [.. set];
        }
        return (length, mentions);
    }

    /// <summary>
    /// Reactions: 45% of posts have some, log-normal in number (median 2; a leader's posts ten times as many), from
    /// the author's neighbourhood or anyone, 60% of them likes. None on deleted posts, none by the author.
    /// </summary>
    static (int[] Post, int[] Person, byte[] Kind) Reactions(OrgShape shape, int[] authors, bool[] deleted)
    {
        var rnd = new Random(29);
        int n = shape.People;
        var post = new List<int>(authors.Length * 2);
        var person = new List<int>(authors.Length * 2);
        var kind = new List<byte>(authors.Length * 2);
        var set = new SortedSet<int>();
        for (var i = 0; i < authors.Length; i++)
        {
            if (rnd.NextDouble() >= 0.45 || deleted[i]) continue;
            var author = authors[i];
            var count = (int)Math.Clamp(Math.Exp(Math.Log(2) + Normal(rnd)) * (author <= shape.Leaders ? 10 : 1), 1, Math.Min(500, n - 1));
            set.Clear();
            for (var attempts = 0; set.Count < count && attempts < count * 10; attempts++)
            {
                var who = rnd.NextDouble() < 0.6 ? Math.Clamp(author + rnd.Next(-300, 301), 1, n) : rnd.Next(1, n + 1);
                if (who != author) set.Add(who);
            }
            foreach (var who in set)
            {
                post.Add(i);
                person.Add(who);
                kind.Add(rnd.NextDouble() < 0.6 ? (byte)0 : (byte)rnd.Next(1, ReactionKinds.Length));
            }
        }
        return ([.. post], [.. person], [.. kind]);
    }

    /// <summary>The server's limit on a post's text (PostText.MaxLength).</summary>
    public const int MaxTextLength = 5_000;

    /// <summary>~4,000 made-up words, most frequent first (picked with Zipf weights), so texts have frequent and rare words.</summary>
    static readonly string[] Words = MakeWords();
    static readonly double[] WordWeights = Cumulative(Enumerable.Range(1, Words.Length).Select(r => 1.0 / r));

    static string[] MakeWords()
    {
        string[] syllables = ["ka", "lo", "ri", "ten", "mar", "so", "vel", "an", "tu", "pre", "dom", "el", "qui", "nor", "sta", "be", "ga", "lin", "o", "ver"];
        var rnd = new Random(5);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < 4_000)
            words.Add(string.Concat(Enumerable.Range(0, rnd.Next(1, 4)).Select(_ => syllables[rnd.Next(syllables.Length)])));
        return [.. words];
    }

    /// <summary>
    /// A post's text (Markdown, as posted) and its HTML (as the server renders and stores it: paragraphs, mentions and
    /// topics as links), made from the post's index alone: sentences of Zipf-picked words up to <see cref="PostLength"/>,
    /// a paragraph break now and then in long posts, the mentions at the start of a sentence and the topic at the end.
    /// </summary>
    public (string Text, string Html) Text(int i)
    {
        var rnd = new Random(unchecked(i * 7919 + 13));
        var target = PostLength[i];
        var text = new System.Text.StringBuilder(target + 64);
        var html = new System.Text.StringBuilder(target * 2 + 64);
        html.Append("<p>");
        var mentions = PostMentions[i];
        var mentionAt = mentions.Length == 0 ? -1 : rnd.Next(0, Math.Max(1, target / 80));
        var mentioned = mentions.Length == 0;
        var paragraph = 0;
        for (var sentence = 0; text.Length < target; sentence++)
        {
            if (sentence > 0)
            {
                if (paragraph > 300 && rnd.NextDouble() < 0.4)
                {
                    text.Append("\n\n");
                    html.Append("</p>\n<p>");
                    paragraph = 0;
                }
                else
                {
                    text.Append(' ');
                    html.Append(' ');
                }
            }
            var start = text.Length;
            if (sentence == mentionAt)
            {
                Mention(text, html, mentions, after: ' ');
                mentioned = true;
            }
            var words = rnd.Next(5, 18);
            for (var w = 0; w < words && text.Length < target; w++)
            {
                var word = Words[Pick(WordWeights, rnd)];
                if (w == 0) word = char.ToUpperInvariant(word[0]) + word[1..];
                if (w > 0) { text.Append(' '); html.Append(' '); }
                text.Append(word);
                html.Append(word);
            }
            text.Append('.');
            html.Append('.');
            paragraph += text.Length - start;
        }
        // A text that reached its length before the mentions' sentence ends with them.
        if (!mentioned)
        {
            text.Append(' ');
            html.Append(' ');
            Mention(text, html, mentions, after: null);
        }
        if (PostTopic[i] != 0)
        {
            text.Append(" #topic").Append(PostTopic[i]);
            html.Append(" <a href=\"/topics/topic").Append(PostTopic[i]).Append("\" class=\"topic\">#topic").Append(PostTopic[i]).Append("</a>");
        }
        html.Append("</p>");
        return (text.ToString(), html.ToString());
    }

    static void Mention(System.Text.StringBuilder text, System.Text.StringBuilder html, int[] people, char? after)
    {
        for (var k = 0; k < people.Length; k++)
        {
            if (k > 0) { text.Append(' '); html.Append(' '); }
            text.Append("@p").Append(people[k]);
            html.Append("<a href=\"/people/p").Append(people[k]).Append("\" class=\"mention\">@p").Append(people[k]).Append("</a>");
        }
        if (after is { } c) { text.Append(c); html.Append(c); }
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
