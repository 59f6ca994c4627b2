using System.Net;
using System.Net.Http.Json;
using Chorus.Server.Data;
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
                context.Posts.Add(New(x.Id));
                try { await scope.ServiceProvider.GetRequiredService<PostWriter>().SaveAsync(context, default); return !x.Bad; }
                catch (DbUpdateException) { return x.Bad; }
            });
        Assert.All(await Task.WhenAll(attempts), Assert.True);
        Assert.Equal(20, await server.InDbAsync(d => d.Posts.CountAsync(p => goodIds.Contains(p.Id))));
    }
}
