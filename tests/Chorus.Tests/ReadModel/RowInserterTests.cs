using System.Text.Json;
using Chorus.Server.Data;
using Chorus.Server.Features.PostTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.ReadModel;

/// <summary>
/// The post writer inserts new rows with plain ADO.NET commands built from the EF Core model (RowInserter): what it
/// writes must read back exactly as what EF Core writes, on both databases.
/// </summary>
public sealed class RowInserterTests(Servers servers)
{
    static long _next = DateTime.UtcNow.Ticks;
    static long NextId() => Interlocked.Increment(ref _next);

    static async Task InsertAsync(ChorusServer server, IEnumerable<object> rows)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var plan = RowInserter.TryPlan(db, rows) ?? throw new InvalidOperationException("No plan for these rows.");
        await using var tx = await db.Database.BeginTransactionAsync();
        await plan.ExecuteAsync(db, default);
        await tx.CommitAsync();
    }

    static string Json(object row) => JsonSerializer.Serialize(row, row.GetType());

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Rows_read_back_as_written_given_in_any_order_with_generated_keys_set(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var reader = await server.CreateUserAsync();
        // Microseconds: what PostgreSQL keeps.
        var now = new DateTime(DateTime.UtcNow.Ticks / 10 * 10, DateTimeKind.Utc);
        var postId = NextId();
        var topicId = NextId();
        var post = new Post
        {
            Id = postId, AuthorId = author.Id, RootId = postId, Text = "Quote \" and ' and ünïcödé 🎉 #rows", Html = "<p>x</p>",
            CreatedAt = now, EditedAt = null, Kind = "poll", MembersOnly = true,
        };
        var topic = new Topic { Id = topicId, Tag = "Rows" + topicId, TagKey = "rows" + topicId, CreatedAt = now };
        var postTopic = new PostTopic { PostId = postId, TopicId = topicId };
        var mention = new PostMention { PostId = postId, PersonId = reader.Id };
        var notification = new Notification { Id = NextId(), RecipientId = reader.Id, Kind = "mention", ActorId = author.Id, PostId = postId, RootId = postId, CreatedAt = now };
        var poll = new Poll { PostId = postId, Multiple = true, ClosesAt = now.AddDays(1) };
        var option = new PollOption { PostId = postId, Position = 0, Text = "yes" };
        var events = Enumerable.Range(0, 3).Select(i => new ChangeEvent { Kind = "post.created", ActorId = author.Id, PostId = postId, Data = i == 1 ? null : "d" + i, CreatedAt = now }).ToList();
        var group = new Group { Id = NextId(), Name = "Rows " + postId, NameKey = "rows " + postId, Description = "", Kind = GroupKind.Secret, CreatedBy = author.Id, CreatedAt = now };
        // Second rows of a table reuse the first row's parameters (SQLite): values of other kinds, nulls the other way round.
        var group2 = new Group { Id = NextId(), Name = "Rows2 " + postId, NameKey = "rows2 " + postId, Description = "d", Kind = GroupKind.Public, CreatedBy = author.Id, CreatedAt = now, UpdatedAt = now };
        var reply = new Post
        {
            Id = NextId(), AuthorId = reader.Id, RootId = postId, ReplyToId = postId, Text = "reply", Html = "<p>reply</p>",
            CreatedAt = now, EditedAt = now.AddSeconds(1), Kind = "post", MembersOnly = false,
        };

        // Dependents before their principals: the plan orders tables by their foreign keys.
        await InsertAsync(server, [postTopic, mention, notification, option, poll, .. events, post, reply, topic, group, group2]);

        Assert.All(events, e => Assert.True(e.Id > 0));
        Assert.Equal(3, events.Select(e => e.Id).Distinct().Count());
        await server.WithScopeAsync(async sp =>
        {
            var d = sp.GetRequiredService<ChorusDb>();
            Assert.Equal(Json(post), Json(await d.Posts.AsNoTracking().SingleAsync(p => p.Id == postId)));
            Assert.Equal(DateTimeKind.Utc, (await d.Posts.AsNoTracking().SingleAsync(p => p.Id == postId)).CreatedAt.Kind);
            Assert.Equal(Json(topic), Json(await d.Topics.AsNoTracking().SingleAsync(t => t.Id == topicId)));
            Assert.Equal(Json(postTopic), Json(await d.PostTopics.AsNoTracking().SingleAsync(t => t.PostId == postId)));
            Assert.Equal(Json(mention), Json(await d.PostMentions.AsNoTracking().SingleAsync(m => m.PostId == postId)));
            Assert.Equal(Json(notification), Json(await d.Notifications.AsNoTracking().SingleAsync(n => n.Id == notification.Id)));
            Assert.Equal(Json(poll), Json(await d.Set<Poll>().AsNoTracking().SingleAsync(p => p.PostId == postId)));
            Assert.Equal(Json(option), Json(await d.Set<PollOption>().AsNoTracking().SingleAsync(p => p.PostId == postId)));
            Assert.Equal(Json(group), Json(await d.Groups.AsNoTracking().SingleAsync(g => g.Id == group.Id)));
            Assert.Equal(Json(group2), Json(await d.Groups.AsNoTracking().SingleAsync(g => g.Id == group2.Id)));
            Assert.Equal(Json(reply), Json(await d.Posts.AsNoTracking().SingleAsync(p => p.Id == reply.Id)));
            var stored = await d.Events.AsNoTracking().Where(e => e.PostId == postId).OrderBy(e => e.Id).ToListAsync();
            // The sequencer numbers committed events soon after: not part of what was written.
            foreach (var e in stored) e.Seq = null;
            Assert.Equal(events.Select(Json), stored.Select(Json));
        });
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Many_rows_of_a_table_each_get_their_own_generated_key(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var now = new DateTime(DateTime.UtcNow.Ticks / 10 * 10, DateTimeKind.Utc);
        var postId = NextId();
        var post = new Post { Id = postId, AuthorId = author.Id, RootId = postId, Text = "many", Html = "", CreatedAt = now };
        // PostgreSQL inserts a table's rows in one statement: each key must still reach the row it was made for.
        var events = Enumerable.Range(0, 150).Select(i => new ChangeEvent
        {
            Kind = "test.many", ActorId = author.Id, PostId = i % 3 == 0 ? null : postId, Data = i % 5 == 0 ? null : "n" + i, CreatedAt = now.AddSeconds(i),
        }).ToList();
        await InsertAsync(server, [.. events, post]);

        Assert.Equal(150, events.Select(e => e.Id).Distinct().Count());
        var stored = await server.InDbAsync(d => d.Events.AsNoTracking().Where(e => e.Kind == "test.many" && e.ActorId == author.Id).ToDictionaryAsync(e => e.Id));
        Assert.Equal(150, stored.Count);
        foreach (var e in events)
        {
            var back = stored[e.Id];
            Assert.Equal((e.Data, e.PostId, e.CreatedAt), (back.Data, back.PostId, back.CreatedAt));
        }
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Statements_kept_between_transactions_write_each_calls_own_values_and_move_to_a_new_connection(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var now = new DateTime(DateTime.UtcNow.Ticks / 10 * 10, DateTimeKind.Utc);
        using var prepared = new PreparedStatements();
        var written = new List<(Post Post, ChangeEvent Event)>();
        // As the post writer does: one open connection, a transaction per call, the statements kept (SQLite) between
        // them; then a second connection, which the kept statements must not be used on.
        for (var connection = 0; connection < 2; connection++)
        {
            await using var scope = server.Services.CreateAsyncScope();
            var d = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            await d.Database.OpenConnectionAsync();
            for (var call = 0; call < 3; call++)
            {
                var id = NextId();
                // Each call's values differ in kind and length from the last: nulls, a longer text, another time.
                var post = new Post
                {
                    Id = id, AuthorId = author.Id, RootId = id, Text = new string('x', 1 + call * 700) + connection, Html = "<p>h</p>",
                    CreatedAt = now.AddSeconds(call), EditedAt = call % 2 == 0 ? null : now, Kind = call == 1 ? "poll" : "post", MembersOnly = call == 2,
                };
                var e = new ChangeEvent { Kind = "test.kept", ActorId = author.Id, PostId = id, Data = call == 1 ? null : "c" + call, CreatedAt = now };
                var plan = RowInserter.TryPlan(d, [post, e])!;
                await using (var tx = await d.Database.BeginTransactionAsync())
                {
                    await plan.ExecuteAsync(d, default, prepared);
                    await tx.CommitAsync();
                }
                written.Add((post, e));
            }
            await d.Database.CloseConnectionAsync();
        }
        Assert.Equal(6, written.Select(w => w.Event.Id).Distinct().Count());
        await server.WithScopeAsync(async sp =>
        {
            var d = sp.GetRequiredService<ChorusDb>();
            foreach (var (post, e) in written)
            {
                Assert.Equal(Json(post), Json(await d.Posts.AsNoTracking().SingleAsync(p => p.Id == post.Id)));
                var back = await d.Events.AsNoTracking().SingleAsync(x => x.Id == e.Id);
                Assert.Equal((e.Kind, e.PostId, e.Data), (back.Kind, back.PostId, back.Data));
            }
        });
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_failing_row_raises_DbUpdateException_and_the_transaction_writes_nothing(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var now = DateTime.UtcNow;
        var id = NextId();
        var good = new Post { Id = id, AuthorId = author.Id, RootId = id, Text = "t", Html = "", CreatedAt = now };
        var orphanId = NextId();
        // An author who does not exist: a foreign key violation, after the good row was inserted.
        var orphan = new Post { Id = orphanId, AuthorId = -1, RootId = orphanId, Text = "t", Html = "", CreatedAt = now };
        var e = new ChangeEvent { Kind = "test.rows", ActorId = author.Id, PostId = id, CreatedAt = now };
        await Assert.ThrowsAsync<DbUpdateException>(() => InsertAsync(server, [good, orphan, e]));
        Assert.False(await server.InDbAsync(d => d.Posts.AnyAsync(p => p.Id == id || p.Id == orphanId)));
        // The event was inserted (and given a key) before the posts failed: the key is taken back with the transaction.
        Assert.Equal(0, e.Id);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Rows_it_cannot_describe_are_left_to_EF_Core(string db)
    {
        await servers[db].WithScopeAsync(async sp =>
        {
            var d = sp.GetRequiredService<ChorusDb>();
            Assert.Null(RowInserter.TryPlan(d, ["not an entity"]));
            // A generated key set by the caller: EF Core writes it as given; the plan does not try.
            Assert.Null(RowInserter.TryPlan(d, [new ChangeEvent { Id = 5, Kind = "x", CreatedAt = DateTime.UtcNow }]));
            Assert.NotNull(RowInserter.TryPlan(d, [new ChangeEvent { Kind = "x", CreatedAt = DateTime.UtcNow }]));
            await Task.CompletedTask;
        });
    }
}
