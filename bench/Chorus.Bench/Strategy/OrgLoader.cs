using System.Diagnostics;
using Spectre.Console;

namespace Chorus.Bench.Strategy;

/// <summary>Loads a generated organization into the real schema, table by table, with a progress bar.</summary>
public static class OrgLoader
{
    public static async Task LoadAsync(StrategyStore store, Org org)
    {
        var shape = org.Shape;
        var created = Org.End.AddDays(-shape.Days - 30);
        var totalRows = shape.People + org.FollowCount + shape.Topics + org.TopicFollows.Sum(t => (long)t.Length)
                        + shape.Posts + org.PostTopic.Count(t => t != 0) + org.GroupKind.Length + org.GroupMembers.Sum(m => (long)m.Length)
                        + org.PostMentions.Sum(m => (long)m.Length) + org.ReactionPost.Length;
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"loading {store.Name} ({totalRows:N0} rows)", maxValue: totalRows);
                double before = 0;
                async Task Table(string name, string[] columns, IEnumerable<object?[]> rows)
                {
                    task.Description = $"loading {store.Name}: {name}";
                    var start = before;
                    await store.BulkAsync(name, columns, rows, done => task.Value = start + done);
                    before = task.Value;
                }

                await Table("people", ["id", "handle", "handle_key", "display_name", "email", "email_key", "job_title", "department", "manager_id", "role", "failed_sign_ins", "created_at", "search_text"],
                    Enumerable.Range(1, shape.People).Select(u => new object?[]
                    {
                        (long)u, $"p{u}", $"p{u}", $"Person {u}", $"p{u}@example.com", $"p{u}@example.com", org.JobTitle[u - 1],
                        org.DepartmentNames[org.Department[u - 1]], org.Manager[u - 1] == 0 ? null : (long)org.Manager[u - 1], 0, 0, created,
                        // The server's search text (PersonRules.SearchText): name, handle and title, lower-cased.
                        $"Person {u} p{u} {org.JobTitle[u - 1]}".ToLowerInvariant(),
                    }));
                await Table("follows", ["follower_id", "followee_id", "created_at"],
                    Enumerable.Range(1, shape.People).SelectMany(u => org.Followees[u - 1].Select(v => new object?[] { (long)u, (long)v, created })));
                await Table("topics", ["id", "tag", "tag_key", "created_at"],
                    Enumerable.Range(1, shape.Topics).Select(t => new object?[] { (long)t, $"topic{t}", $"topic{t}", created }));
                await Table("topic_follows", ["person_id", "topic_id", "created_at"],
                    Enumerable.Range(1, shape.People).SelectMany(u => org.TopicFollows[u - 1].Select(t => new object?[] { (long)u, (long)t, created })));
                await Table("groups", ["id", "name", "name_key", "description", "kind", "created_by", "created_at"],
                    Enumerable.Range(0, org.GroupKind.Length).Select(g => new object?[]
                    {
                        (long)g + 2, $"Group {g + 2}", $"group {g + 2}", "A generated community", org.GroupKind[g], (long)org.GroupMembers[g][0], created,
                    }));
                // The first member owns the group; every member sees its posts in their home feed (the default).
                await Table("group_members", ["group_id", "person_id", "state", "role", "show_in_home", "created_at", "joined_at"],
                    Enumerable.Range(0, org.GroupKind.Length).SelectMany(g => org.GroupMembers[g].Select((person, i) => new object?[]
                    {
                        (long)g + 2, (long)person, 0, i == 0 ? 2 : 0, true, created, created,
                    })));
                await Table("posts", ["id", "author_id", "text", "html", "reply_to_id", "root_id", "created_at", "deleted_at", "group_id", "members_only"],
                    Enumerable.Range(0, shape.Posts).Select(i =>
                    {
                        var (text, html) = org.Text(i);
                        var at = Org.TimeOf(org.PostId[i]);
                        return new object?[]
                        {
                            org.PostId[i], (long)org.PostAuthor[i], text, html,
                            org.PostReplyTo[i] == 0 ? null : org.PostReplyTo[i], org.PostRoot[i], at, org.PostDeleted[i] ? at.AddHours(1) : null,
                            org.PostGroup[i] == 0 ? null : (long)org.PostGroup[i], org.PostGroup[i] != 0 && org.GroupKind[org.PostGroup[i] - 2] != 0,
                        };
                    }));
                await Table("post_topics", ["topic_id", "post_id"],
                    Enumerable.Range(0, shape.Posts).Where(i => org.PostTopic[i] != 0)
                        .Select(i => new object?[] { (long)org.PostTopic[i], org.PostId[i] })
                        .OrderBy(r => (long)r[0]!).ThenBy(r => (long)r[1]!));
                await Table("post_mentions", ["post_id", "person_id"],
                    Enumerable.Range(0, shape.Posts).SelectMany(i => org.PostMentions[i].Select(who => new object?[] { org.PostId[i], (long)who })));
                // Minutes to two days after the post, varying by person.
                await Table("reactions", ["post_id", "person_id", "kind", "created_at"],
                    Enumerable.Range(0, org.ReactionPost.Length).Select(r => new object?[]
                    {
                        org.PostId[org.ReactionPost[r]], (long)org.ReactionPerson[r], Org.ReactionKinds[org.ReactionKind[r]],
                        Org.TimeOf(org.PostId[org.ReactionPost[r]]).AddMinutes(1 + (org.ReactionPerson[r] * 31 + r) % 2880),
                    }));
                task.StopTask();
            });
    }
}

/// <summary>What posting costs under each strategy, committed with the server's durability settings.</summary>
public sealed class WriteCosts(StrategyStore store, Org org)
{
    public sealed record Rate(double PerSecond, Latencies Latency);
    public sealed record FanOutCost(int Author, int Followers, int Posts, double PerSecond, double RowsPerSecond, Latencies Latency);

    long _nextId = org.PostId[^1] + (1L << 30);

    const string InsertPost =
        "INSERT INTO posts (id, author_id, text, html, root_id, created_at) VALUES (@id, @author, 'bench post', '<p>bench post</p>', @id, @at)";

    /// <summary>Read-time assembly: a post is one row, one transaction.</summary>
    public Rate PlainPosts(int count)
    {
        using var cmd = Command(InsertPost, ("@id", 0L), ("@author", 0L), ("@at", DateTime.UtcNow));
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        var rnd = new Random(3);
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var tx = store.Connection.BeginTransaction();
            cmd.Transaction = tx;
            Set(cmd, ("@id", _nextId++), ("@author", (long)rnd.Next(1, org.Shape.People + 1)), ("@at", DateTime.UtcNow));
            cmd.ExecuteNonQuery();
            tx.Commit();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new Rate(count / total.Elapsed.TotalSeconds, Latencies.Of(samples));
    }

    /// <summary>Fan-out on write: the post row, then one timeline row per follower and one for the author, in one transaction.</summary>
    public FanOutCost FanOut(int author, int followers, int posts)
    {
        using var post = Command(InsertPost, ("@id", 0L), ("@author", 0L), ("@at", DateTime.UtcNow));
        using var fan = Command(
            "INSERT INTO timelines (owner_id, post_id) SELECT f.follower_id, @id FROM follows AS f WHERE f.followee_id = @author", ("@id", 0L), ("@author", 0L));
        using var self = Command("INSERT INTO timelines (owner_id, post_id) VALUES (@author, @id)", ("@id", 0L), ("@author", 0L));
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < posts; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var tx = store.Connection.BeginTransaction();
            var id = _nextId++;
            foreach (var c in new[] { post, fan, self })
            {
                c.Transaction = tx;
                Set(c, ("@id", id), ("@author", (long)author), ("@at", DateTime.UtcNow));
                c.ExecuteNonQuery();
            }
            tx.Commit();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        var seconds = total.Elapsed.TotalSeconds;
        return new FanOutCost(author, followers, posts, posts / seconds, (double)posts * (followers + 1) / seconds, Latencies.Of(samples));
    }

    System.Data.Common.DbCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = store.Connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    static void Set(System.Data.Common.DbCommand cmd, params (string Name, object Value)[] values)
    {
        foreach (var (name, value) in values)
            if (cmd.Parameters.Contains(name)) cmd.Parameters[name].Value = value;
    }
}
