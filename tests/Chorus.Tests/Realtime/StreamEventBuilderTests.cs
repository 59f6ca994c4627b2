using System.Net;
using Chorus.Server.Data;
using Chorus.Tests.Notifications;
using Chorus.Server.Features.Realtime;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Realtime;

/// <summary>What the dispatcher builds for the streams open on a node.</summary>
public sealed class StreamEventBuilderTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_post_nobody_listens_to_is_not_built_unless_its_batch_changes_who_listens(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        (await ben.Client.PostAsync($"/api/v1/people/{ada.Handle}/follow", null)).EnsureSuccessStatusCode();
        var id = long.Parse(await ada.NewPostAsync("heard or not"));
        await PostTypes.PostTypeHelpers.EventuallyAsync(() => server.InDbAsync(d =>
            d.Events.Where(e => e.PostId == id || (e.Kind == "follow.created" && e.ActorId == ben.Id)).AllAsync(e => e.Seq != null)));

        var built = await server.WithScopeAsync(async sp =>
        {
            var events = await sp.GetRequiredService<ChorusDb>().Events.Where(e => e.Kind == "follow.created" && e.ActorId == ben.Id).ToListAsync();
            var post = await sp.GetRequiredService<ChorusDb>().Events.SingleAsync(e => e.PostId == id && e.Kind == "post.created");
            var builder = sp.GetRequiredService<StreamEventBuilder>();
            return (
                quiet: await builder.BuildAsync([post], default, listened: _ => false),
                company: await builder.BuildAsync([post], default, listened: keys => keys.Contains(StreamKey.Company)),
                otherAuthor: await builder.BuildAsync([post], default, listened: keys => keys.Contains(StreamKey.Author(ben.Id))),
                // ben's follow in the same batch: his open home stream listens on ada only once it is applied.
                afterFollow: await builder.BuildAsync([.. events, post], default, listened: _ => false));
        });
        Assert.DoesNotContain(built.quiet, e => e.Kind == "post.created");
        Assert.Single(built.company, e => e.Kind == "post.created");
        Assert.DoesNotContain(built.otherAuthor, e => e.Kind == "post.created");
        Assert.Single(built.afterFollow, e => e.Kind == "post.created");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task The_writers_posts_are_taken_from_memory_only_for_their_own_single_event(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var id = long.Parse(await ada.NewPostAsync("kept by the writer"));
        (await ben.Client.PostAsync($"/api/v1/posts/{id}/reactions/like", null)).EnsureSuccessStatusCode();
        await PostTypes.PostTypeHelpers.EventuallyAsync(() => server.InDbAsync(d => d.Events.Where(e => e.PostId == id).AllAsync(e => e.Seq != null)));

        var built = await server.WithScopeAsync(async sp =>
        {
            var d = sp.GetRequiredService<ChorusDb>();
            var created = await d.Events.AsNoTracking().SingleAsync(e => e.PostId == id && e.Kind == "post.created");
            var reacted = await d.Events.AsNoTracking().SingleAsync(e => e.PostId == id && e.Kind == "reaction.changed");
            var post = await d.Posts.AsNoTracking().SingleAsync(p => p.Id == id);
            var builder = sp.GetRequiredService<StreamEventBuilder>();
            // The copy in memory says topic 999 (the database says none): a topic-999 listener tells which was used.
            WrittenPosts Memory(ChangeEvent e)
            {
                var written = new WrittenPosts();
                written.Add([new(e, post, [999])]);
                return written;
            }
            bool OnTopic(IReadOnlyList<StreamKey> keys) => keys.Contains(StreamKey.Topic(999));
            var fromMemory = Memory(created);
            var alone = await builder.BuildAsync([created], default, listened: OnTopic, written: fromMemory);
            var withReaction = await builder.BuildAsync([created, reacted], default, listened: OnTopic, written: Memory(created));
            var otherEvent = Memory(new ChangeEvent { Id = created.Id + 1, Seq = created.Seq, Kind = created.Kind, PostId = id, ActorId = ada.Id, CreatedAt = created.CreatedAt });
            var mismatched = await builder.BuildAsync([created], default, listened: OnTopic, written: otherEvent);
            var nothingWritten = await builder.BuildAsync([created], default, listened: OnTopic, written: new WrittenPosts());
            return (alone, withReaction, mismatched, nothingWritten, left: fromMemory.Count + otherEvent.Count);
        });
        Assert.Single(built.alone, e => e.Kind == "post.created" && e.Keys.Contains(StreamKey.Topic(999)));
        // A second event of the post in the batch, or an entry of another event: read from the database (no topic 999).
        Assert.DoesNotContain(built.withReaction, e => e.Kind == "post.created");
        Assert.DoesNotContain(built.mismatched, e => e.Kind == "post.created");
        Assert.DoesNotContain(built.nothingWritten, e => e.Kind == "post.created");
        Assert.Equal(0, built.left);
    }

    [Fact]
    public void Written_posts_keep_only_numbered_new_posts_and_drop_what_the_dispatcher_is_past()
    {
        var written = new WrittenPosts();
        var post = new Post { Id = 1, Text = "", Html = "" };
        written.Add([
            new(new ChangeEvent { Id = 1, Seq = null, Kind = "post.created", PostId = 1 }, post, []),
            new(new ChangeEvent { Id = 2, Seq = 2, Kind = "post.updated", PostId = 1 }, post, []),
            new(new ChangeEvent { Id = 3, Seq = 3, Kind = "post.created", PostId = 1 }, null, []),
            new(new ChangeEvent { Id = 4, Seq = 4, Kind = "post.created", PostId = 2 }, post, []),
        ]);
        Assert.Equal(0, written.Count);

        var many = Enumerable.Range(1, 3 * EventDispatcher.Batch).Select(i => new CommittedChange(
            new ChangeEvent { Id = i, Seq = i, Kind = i % 2 == 0 ? "post.created" : "share.created", PostId = i }, new Post { Id = i, Text = "", Html = "" }, [])).ToList();
        written.Add(many);
        written.ForgetUpTo(many.Count); // few enough: kept
        Assert.Equal(many.Count, written.Count);
        written.Add([.. many.Select(c => c with { Event = new ChangeEvent { Id = c.Event.Id + 10_000, Seq = c.Event.Seq + 10_000, Kind = c.Kind, PostId = c.Event.PostId } })]);
        written.ForgetUpTo(many.Count);
        Assert.Equal(many.Count, written.Count);
        Assert.True(written.TryTake(new ChangeEvent { Id = 10_007, Seq = 10_007, Kind = "share.created", PostId = 7 }, out var taken));
        Assert.Equal(7, taken.Post!.Id);
        Assert.False(written.TryTake(new ChangeEvent { Id = 10_007, Seq = 10_007, Kind = "share.created", PostId = 7 }, out _));
    }
}
