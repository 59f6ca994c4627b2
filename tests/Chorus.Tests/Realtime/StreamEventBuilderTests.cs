using System.Net;
using Chorus.Server.Data;
using Chorus.Tests.Notifications;
using Chorus.Server.Features.Realtime;
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
}
