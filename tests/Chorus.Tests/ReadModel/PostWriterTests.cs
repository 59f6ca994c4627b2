using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.ReadModel;

/// <summary>New posts are saved by one group-committing writer (PostWriter): many at once, each answered once it committed.</summary>
public sealed class PostWriterTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Many_people_posting_at_once_all_commit_and_each_sees_their_post_at_once(string db)
    {
        var server = servers[db];
        var people = new List<TestUser>();
        for (var i = 0; i < 8; i++) people.Add(await server.CreateUserAsync());
        var posted = await Task.WhenAll(people.SelectMany(p => Enumerable.Range(0, 10).Select(async i =>
        {
            var id = (await (await p.PostAsync($"{p.Handle} #{i} #burst")).JsonAsync(HttpStatusCode.Created)).Str("id");
            // Read-your-write: the author's own next read shows it.
            var mine = await (await p.Client.GetAsync($"/api/v1/people/{p.Handle}/posts?limit=100")).JsonAsync();
            Assert.Contains(id, mine.GetProperty("items").EnumerateArray().Select(x => x.Str("id")));
            return long.Parse(id);
        })));
        var stored = await server.InDbAsync(d => d.Posts.CountAsync(p => posted.Contains(p.Id)));
        Assert.Equal(80, stored);
        var events = await server.InDbAsync(d => d.Events.CountAsync(e => e.Kind == "post.created" && e.PostId != null && posted.Contains(e.PostId.Value)));
        Assert.Equal(80, events);
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_post_that_cannot_be_written_fails_alone_and_the_others_in_its_batch_commit(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var existing = long.Parse((await (await author.PostAsync("already there")).JsonAsync(HttpStatusCode.Created)).Str("id"));
        var now = DateTime.UtcNow;
        Post New(long id) => new() { Id = id, AuthorId = author.Id, RootId = id, Text = "t", Html = "<p>t</p>", CreatedAt = now };
        var goodIds = Enumerable.Range(1, 20).Select(i => existing + 1000 + i).ToList();
        var attempts = goodIds.Select(id => (Id: id, Bad: false)).Append((Id: existing, Bad: true)) // the same id again: a key violation
            .Select(async x =>
            {
                await using var scope = server.Services.CreateAsyncScope();
                var context = scope.ServiceProvider.GetRequiredService<ChorusDb>();
                // Each with its event, whose key the database generates: inserted before the posts, so a failed batch
                // has already been given keys it must give back before its posts are written again one by one.
                var e = new ChangeEvent { Kind = "test.writer", ActorId = author.Id, PostId = x.Id, CreatedAt = now };
                try
                {
                    await scope.ServiceProvider.GetRequiredService<PostWriter>().SaveAsync(context, [New(x.Id), e], default);
                    if (x.Bad) return false;
                }
                catch (DbUpdateException) when (x.Bad) { }
                return x.Bad ? e.Id == 0 && !await Saved(x.Id) : e.Id > 0 && await Saved(x.Id);
            });
        Assert.All(await Task.WhenAll(attempts), Assert.True);
        Assert.Equal(20, await server.InDbAsync(d => d.Posts.CountAsync(p => goodIds.Contains(p.Id))));
        Assert.Equal(20, await server.InDbAsync(d => d.Events.CountAsync(e => e.Kind == "test.writer" && e.PostId != null && goodIds.Contains(e.PostId.Value))));

        Task<bool> Saved(long id) => server.InDbAsync(d => d.Events.AnyAsync(e => e.Kind == "test.writer" && e.PostId == id));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_post_whose_group_changed_kind_before_it_committed_takes_the_groups_audience(string db)
    {
        // A request read the group while it was public; the group turned private before the post committed. The
        // writer settles the audience from the group row inside the post's transaction, for a batch and for a post
        // saved directly (a change to an existing row in the same unit of work).
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var gid = long.Parse(await Chorus.Tests.GroupPages.GroupSetup.CreateGroupAsync(owner, "private"));
        var now = DateTime.UtcNow;
        var baseId = long.Parse((await (await owner.PostAsync("before")).JsonAsync(HttpStatusCode.Created)).Str("id")) + 5000;
        Post Stale(long id) => new() { Id = id, AuthorId = owner.Id, RootId = id, GroupId = gid, MembersOnly = false, Text = "t", Html = "<p>t</p>", CreatedAt = now };

        await using (var scope = server.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var batched = Stale(baseId);
            context.Posts.Add(batched);
            await scope.ServiceProvider.GetRequiredService<PostWriter>().SaveAsync(context, default);
            Assert.True(batched.MembersOnly);
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var me = await context.People.FirstAsync(p => p.Id == owner.Id);
            me.Bio = "changed in the same unit of work";
            var direct = Stale(baseId + 1);
            context.Posts.Add(direct);
            await scope.ServiceProvider.GetRequiredService<PostWriter>().SaveAsync(context, default);
            Assert.True(direct.MembersOnly);
        }
        var stored = await server.InDbAsync(d => d.Posts.Where(p => p.Id == baseId || p.Id == baseId + 1).Select(p => p.MembersOnly).ToListAsync());
        Assert.Equal([true, true], stored);

        // A stranger never sees them.
        var stranger = await server.CreateUserAsync();
        await (await stranger.Client.GetAsync($"/api/v1/posts/{baseId}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    static Viewer As(TestUser user) => new(user.Id, user.Handle, user.Handle, PersonRole.Member, CredentialKind.Token, 0, true);

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_plain_post_is_written_without_renting_the_requests_context(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<PostService>().CreateAsync(As(author), new CreatePostRequest("nothing to look up here"), default);
        Assert.True(created.Ok);
        Assert.Null(scope.ServiceProvider.GetRequiredService<RequestDb>().IfRented);
        Assert.Equal(1, await server.InDbAsync(d => d.Posts.CountAsync(p => p.Id == created.Value!.Id)));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_post_made_inside_a_transaction_of_a_service_that_took_the_context_itself_joins_it(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        long id;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            // As a service that takes ChorusDb (not RequestDb) and opens a transaction before it posts.
            var context = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            await using var tx = await context.Database.BeginTransactionAsync();
            var created = await scope.ServiceProvider.GetRequiredService<PostService>().CreateAsync(As(author), new CreatePostRequest("rolled back with its caller"), default);
            Assert.True(created.Ok);
            Assert.Same(context, scope.ServiceProvider.GetRequiredService<RequestDb>().IfRented);
            id = created.Value!.Id;
            await tx.RollbackAsync();
        }
        Assert.Equal(0, await server.InDbAsync(d => d.Posts.CountAsync(p => p.Id == id)));
    }
}
