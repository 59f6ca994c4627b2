using System.Text.Json;

namespace Chorus.NodeTests;

/// <summary>
/// Two real server processes on one PostgreSQL database: events cross nodes, a client resumes on another node after
/// its node dies, and writes on both nodes reach a stream in one gap-free order. Waits are generous and only bound
/// functional outcomes; nothing here asserts on timing.
/// </summary>
public sealed class TwoNodeTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    static bool IsPost(SseEvent e, string text) =>
        e.Event == "post.created" && e.Json.TryGetProperty("text", out var t) && t.GetString() == text;

    static string? PostText(SseEvent e) =>
        e.Event == "post.created" && e.Json.TryGetProperty("text", out var t) ? t.GetString() : null;

    [Fact]
    public async Task A_post_on_one_node_reaches_a_stream_on_the_other_and_a_client_resumes_on_a_surviving_node()
    {
        await using var cluster = await Cluster.StartAsync();
        try
        {
            var (_, readerToken) = await cluster.CreateMemberAsync();
            var (_, authorToken) = await cluster.CreateMemberAsync();
            using var authorOnA = Cluster.Client(cluster.A, authorToken);
            var run = Guid.NewGuid().ToString("N")[..8];

            long lastSeen;
            using (var readerOnB = Cluster.Client(cluster.B, readerToken))
            await using (var stream = await SseClient.ConnectAsync(readerOnB, "company"))
            {
                await Cluster.PostAsync(authorOnA, $"{run} hello from A");
                lastSeen = (await stream.WaitForAsync(e => IsPost(e, $"{run} hello from A"), Wait)).Id!.Value;

                await cluster.B.KillAsync();
                // The dead node's stream ends (or goes silent); either way nothing more arrives on it.
                Assert.Null(await NextPostAsync(stream, TimeSpan.FromSeconds(2)));
            }

            var missed = Enumerable.Range(1, 5).Select(i => $"{run} missed {i}").ToList();
            foreach (var text in missed) await Cluster.PostAsync(authorOnA, text);

            using var readerOnA = Cluster.Client(cluster.A, readerToken);
            await using var resumed = await SseClient.ConnectAsync(readerOnA, "company", lastSeen);
            var replayed = new List<SseEvent>();
            while (replayed.Count < missed.Count)
            {
                var next = await resumed.NextAsync(Wait) ?? throw new Xunit.Sdk.XunitException(
                    $"The resumed stream stopped after {replayed.Count} of {missed.Count} missed posts.\n{cluster.Logs}");
                if (PostText(next) is not null) replayed.Add(next);
            }
            Assert.Equal(missed, replayed.Select(PostText));
            var ids = replayed.Select(e => e.Id!.Value).ToList();
            Assert.True(ids[0] > lastSeen, $"The replay repeated an event already seen ({ids[0]} <= {lastSeen}).");
            Assert.Equal(ids.Order(), ids);
            Assert.Equal(ids.Count, ids.Distinct().Count());

            await Cluster.PostAsync(authorOnA, $"{run} after the reconnect");
            var after = await resumed.WaitForAsync(e => e.Event == "post.created", Wait);
            Assert.Equal($"{run} after the reconnect", PostText(after));
            Assert.True(after.Id > ids[^1]);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException || !e.Message.Contains("--- node A ---", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException($"{e}\n{cluster.Logs}");
        }
    }

    [Fact]
    public async Task Concurrent_writes_on_both_nodes_reach_a_stream_in_one_gap_free_order()
    {
        await using var cluster = await Cluster.StartAsync();
        try
        {
            var (_, readerToken) = await cluster.CreateMemberAsync();
            var (_, writerAToken) = await cluster.CreateMemberAsync();
            var (_, writerBToken) = await cluster.CreateMemberAsync();
            using var writerA = Cluster.Client(cluster.A, writerAToken);
            using var writerB = Cluster.Client(cluster.B, writerBToken);
            using var readerOnB = Cluster.Client(cluster.B, readerToken);
            await using var stream = await SseClient.ConnectAsync(readerOnB, "company");

            const int perWriter = 25;
            var expected = new HashSet<string>();
            for (var i = 0; i < perWriter; i++) { expected.Add($"A {i}"); expected.Add($"B {i}"); }
            await Task.WhenAll(
                Task.Run(async () => { for (var i = 0; i < perWriter; i++) await Cluster.PostAsync(writerA, $"A {i}"); }),
                Task.Run(async () => { for (var i = 0; i < perWriter; i++) await Cluster.PostAsync(writerB, $"B {i}"); }));

            var received = new List<SseEvent>();
            while (received.Count < expected.Count)
            {
                var next = await stream.NextAsync(Wait) ?? throw new Xunit.Sdk.XunitException(
                    $"The stream stopped after {received.Count} of {expected.Count} posts: {string.Join(", ", received.Select(PostText))}\n{cluster.Logs}");
                if (PostText(next) is { } text && expected.Contains(text)) received.Add(next);
            }

            Assert.Equal(expected.Count, received.Select(PostText).Distinct().Count());
            var ids = received.Select(e => e.Id!.Value).ToList();
            Assert.Equal(ids.Order(), ids);
            Assert.Equal(ids.Count, ids.Distinct().Count());
            // Each writer's own posts keep their order: the sequencer numbers commits, it never reorders one writer.
            foreach (var writer in new[] { "A", "B" })
                Assert.Equal(Enumerable.Range(0, perWriter).Select(i => $"{writer} {i}"),
                    received.Select(PostText).Where(t => t!.StartsWith(writer + " ", StringComparison.Ordinal)));
            // No gaps: every seq in the range belongs to one of these posts (nothing else is written to this database).
            Assert.Equal(Enumerable.Range(0, ids.Count).Select(i => ids[0] + i), ids);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException || !e.Message.Contains("--- node A ---", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException($"{e}\n{cluster.Logs}");
        }
    }

    [Fact]
    public async Task Events_still_cross_nodes_when_the_listeners_lose_their_connections()
    {
        await using var cluster = await Cluster.StartAsync();
        try
        {
            var (_, readerToken) = await cluster.CreateMemberAsync();
            var (_, authorToken) = await cluster.CreateMemberAsync();
            using var authorOnA = Cluster.Client(cluster.A, authorToken);
            using var readerOnB = Cluster.Client(cluster.B, readerToken);
            await using var stream = await SseClient.ConnectAsync(readerOnB, "company");

            // Cut every node's LISTEN connection: NOTIFYs sent until they reconnect are lost. The events are read from
            // the table, so the dispatcher's poll (or the catch-up on reconnect) still delivers every one, in order.
            var cut = await cluster.ScalarAsync(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()");
            Assert.True(cut >= 2, $"Expected both nodes' listener connections, found {cut}.\n{cluster.Logs}");
            var texts = Enumerable.Range(1, 3).Select(i => $"while deaf {i}").ToList();
            foreach (var text in texts) await Cluster.PostAsync(authorOnA, text);

            var received = new List<SseEvent>();
            while (received.Count < texts.Count)
            {
                var next = await stream.NextAsync(Wait) ?? throw new Xunit.Sdk.XunitException(
                    $"The stream stopped after {received.Count} of {texts.Count} posts.\n{cluster.Logs}");
                if (PostText(next) is not null) received.Add(next);
            }
            Assert.Equal(texts, received.Select(PostText));
            Assert.Equal(received.Select(e => e.Id!.Value).Order(), received.Select(e => e.Id!.Value));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException || !e.Message.Contains("--- node A ---", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException($"{e}\n{cluster.Logs}");
        }
    }

    static async Task<SseEvent?> NextPostAsync(SseClient stream, TimeSpan quiet)
    {
        try
        {
            while (await stream.NextAsync(quiet) is { } e)
                if (e.Event == "post.created") return e;
        }
        catch (IOException) { /* the killed node's connection broke: the stream is over */ }
        return null;
    }
}
