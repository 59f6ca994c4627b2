using Chorus.Server.Data;
using Chorus.Server.Features.Realtime;
using Chorus.Tests.Notifications;
using Chorus.Tests.PostTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Realtime;

/// <summary>
/// Every committed event gets one stream position (seq): the post writer numbers its posts' events as it inserts them,
/// the sequencer numbers everything else after its commit (ADR 014). Both hand out numbers under one lock, so the
/// positions are unique and a post's event has its position as soon as the post is answered.
/// </summary>
public sealed class EventNumberingTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Posts_and_other_changes_written_at_once_get_unique_positions_and_posts_have_theirs_on_answer(string db)
    {
        var server = servers[db];
        var people = new List<TestUser>();
        for (var i = 0; i < 6; i++) people.Add(await server.CreateUserAsync());
        var first = long.Parse(await people[0].NewPostAsync("numbered from here"));

        // Posts (through the writer, in batches) and follows and reactions (saved directly) at the same time.
        var posts = people.SelectMany(p => Enumerable.Range(0, 8).Select(async i => long.Parse(await p.NewPostAsync($"post {i} by {p.Handle}"))));
        var others = people.Skip(1).Select(async p =>
        {
            (await p.Client.PostAsync($"/api/v1/people/{people[0].Handle}/follow", null)).EnsureSuccessStatusCode();
            (await p.Client.PostAsync($"/api/v1/posts/{first}/reactions/like", null)).EnsureSuccessStatusCode();
            return 0L;
        });
        var ids = (await Task.WhenAll(posts.Concat(others))).Where(id => id != 0).ToList();
        Assert.Equal(48, ids.Count);

        // Answered means committed and numbered: no waiting for the sequencer.
        var postEvents = await server.InDbAsync(d => d.Events.AsNoTracking()
            .Where(e => e.Kind == "post.created" && e.PostId != null && ids.Contains(e.PostId.Value)).ToListAsync());
        Assert.Equal(48, postEvents.Count);
        Assert.All(postEvents, e => Assert.NotNull(e.Seq));

        // One at a time, read the moment each is answered (the sequencer, had it to number them, runs after the commit).
        for (var i = 0; i < 5; i++)
        {
            var id = long.Parse(await people[1].NewPostAsync($"answered {i}"));
            Assert.NotNull(await server.InDbAsync(d => d.Events.Where(e => e.PostId == id && e.Kind == "post.created").Select(e => e.Seq).SingleAsync()));
        }

        var actors = people.Select(p => p.Id).ToList();
        await PostTypeHelpers.EventuallyAsync(() => server.InDbAsync(d => d.Events.Where(e => actors.Contains(e.ActorId)).AllAsync(e => e.Seq != null)));
        var all = await server.InDbAsync(d => d.Events.AsNoTracking().Where(e => actors.Contains(e.ActorId)).ToListAsync());
        Assert.Contains(all, e => e.Kind == "follow.created");
        // Two numberings that overlapped would have given two events one position: the unique index on seq refuses
        // that, and the writer's batch would have failed and been written again one post at a time (not an error).
        Assert.Equal(all.Count, all.Select(e => e.Seq).Distinct().Count());
        // One writer, one batch after another, numbering in insert order: its events' positions follow their ids.
        var seqByIdOrder = postEvents.OrderBy(e => e.Id).Select(e => e.Seq!.Value).ToList();
        Assert.Equal(seqByIdOrder.Order().ToList(), seqByIdOrder);
    }
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Changes_waiting_for_the_sequencer_are_numbered_before_the_post_writers_own(string db)
    {
        // A follow saved and answered, its event not numbered yet; then the followed person's post, numbered by the
        // writer as it is inserted. The follow must come first in the stream, or the follower's stream resubscribes
        // only after the post went by. One transaction, so no sequencer can number the follow in between: the writer's
        // lock (SQLite's write lock; the uncommitted row on PostgreSQL) keeps it out.
        var server = servers[db];
        var me = await server.CreateUserAsync();
        var postgres = db == "Postgres";
        var (waiting, mine) = await server.WithScopeAsync(async sp =>
        {
            var d = sp.GetRequiredService<ChorusDb>();
            await using var tx = postgres
                ? await d.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted)
                : await d.Database.BeginTransactionAsync();
            var earlier = new ChangeEvent { Kind = "test.waiting", ActorId = me.Id, CreatedAt = DateTime.UtcNow };
            d.Events.Add(earlier);
            await d.SaveChangesAsync();
            var fresh = new ChangeEvent { Kind = "test.new", ActorId = me.Id, CreatedAt = DateTime.UtcNow };
            await EventSequencer.NumberNewAsync(d, [fresh], postgres, default);
            d.Events.Add(fresh);
            await d.SaveChangesAsync();
            await tx.CommitAsync();
            return (earlier.Id, fresh.Id);
        });
        var seq = await server.InDbAsync(d => d.Events.AsNoTracking().Where(e => e.Id == waiting || e.Id == mine).ToDictionaryAsync(e => e.Id, e => e.Seq));
        Assert.NotNull(seq[waiting]);
        Assert.True(seq[waiting] < seq[mine], $"the waiting change got {seq[waiting]}, the new one {seq[mine]}");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task An_event_nothing_announced_is_numbered_by_the_dispatchers_poll(string db)
    {
        // The post writer's commits wake the dispatcher without asking it to run the sequencer (their events are
        // numbered already, and the writer numbers whatever waits before them). An event written where no signal says
        // so (another node that stopped before numbering it) is numbered by the dispatcher's poll, with nothing else
        // happening.
        var server = servers[db];
        var me = await server.CreateUserAsync();
        await me.NewPostAsync("the dispatcher has run");
        var id = await server.InDbAsync(async d =>
        {
            // Through a plain command, not SaveChanges: no interceptor, so nothing raises the signal for it.
            await d.Database.ExecuteSqlInterpolatedAsync($"INSERT INTO events (kind, actor_id, created_at, data) VALUES ({"test.unannounced"}, {me.Id}, {DateTime.UtcNow}, {""})");
            return await d.Events.Where(x => x.Kind == "test.unannounced" && x.ActorId == me.Id).Select(x => x.Id).SingleAsync();
        });
        await PostTypeHelpers.EventuallyAsync(() => server.InDbAsync(d => d.Events.AnyAsync(e => e.Id == id && e.Seq != null)));
    }

    [Fact]
    public async Task PostgreSQL_numbering_planned_on_a_tiny_events_table_reads_by_index_once_the_table_has_grown()
    {
        // The post writer keeps one connection, on which Npgsql prepares the numbering's statements after a few
        // batches; a prepared statement keeps its plan until the table's statistics change. Made while the events
        // table is nearly empty (a new organization), the cheapest plan is a sequential scan, and it stays the plan
        // as the table grows: every batch then read every event (the harness's W1, twenty-sixth session). Its own
        // database, so that the table is as small as a new organization's when the plans are made.
        using var server = new ChorusServer("Postgres");
        server.StartServer();
        var me = await server.CreateUserAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var d = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        await d.Database.OpenConnectionAsync();
        await d.Database.ExecuteSqlRawAsync("ANALYZE events");
        Assert.True(await d.Database.SqlQueryRaw<long>("SELECT relpages::bigint AS \"Value\" FROM pg_class WHERE relname = 'events'").SingleAsync() <= 1);

        // As the writer does, batch after batch on the one connection: well past the uses before Npgsql prepares.
        for (var batch = 0; batch < 8; batch++)
        {
            await using var tx = await d.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted);
            await EventSequencer.NumberNewAsync(d, [new ChangeEvent { Kind = "test.new", ActorId = me.Id, CreatedAt = DateTime.UtcNow }], true, default);
        }

        // Then the table grows (in this transaction only, so nothing else sees these rows), and the next batch is
        // numbered with the plans made before: it must read a few index entries, not the table.
        await using (var tx = await d.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted))
        {
            await d.Database.ExecuteSqlAsync($"""
                INSERT INTO events (kind, actor_id, created_at, seq)
                SELECT 'test.grown', {me.Id}, now(), head.seq + g
                FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM events) head, generate_series(1, 20000) g
                """);
            var before = await ReadsAsync(d);
            var fresh = new ChangeEvent { Kind = "test.new", ActorId = me.Id, CreatedAt = DateTime.UtcNow };
            await EventSequencer.NumberNewAsync(d, [fresh], true, default);
            var after = await ReadsAsync(d);
            Assert.True(fresh.Seq > 20000, $"numbered {fresh.Seq}, after the grown table's highest");
            Assert.Equal(before.SeqScans, after.SeqScans);
            // Rows reached through an index (these new rows are not all-visible, so even an index-only scan visits
            // them): a handful, not the 20,000 a whole-index MAX(seq) would.
            Assert.True(after.IndexFetched - before.IndexFetched < 100, $"{after.IndexFetched - before.IndexFetched} rows read through an index");
        }
    }

    sealed record Reads(long SeqScans, long IndexFetched);

    /// <summary>This transaction's reads of the events table so far (PostgreSQL's per-transaction statistics).</summary>
    static async Task<Reads> ReadsAsync(ChorusDb d)
    {
        await using var cmd = d.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = d.Database.CurrentTransaction!.GetDbTransaction();
        cmd.CommandText = "SELECT seq_scan, COALESCE(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables WHERE relname = 'events'";
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new Reads(reader.GetInt64(0), reader.GetInt64(1));
    }

    [Fact]
    public void The_signal_remembers_an_unnumbered_raise_until_it_is_taken()
    {
        var signal = new EventSignal();
        Assert.True(signal.TakeUnnumbered()); // a new signal assumes something may wait (start-up)
        Assert.False(signal.TakeUnnumbered());
        signal.RaiseNumbered();
        Assert.False(signal.TakeUnnumbered());
        signal.Raise();
        signal.RaiseNumbered();
        Assert.True(signal.TakeUnnumbered());
        Assert.False(signal.TakeUnnumbered());
    }
}
