using System.Net;
using Chorus.Tests.Groups;

namespace Chorus.Tests.PostTypes;

public sealed partial class PostTypeWebTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Opening_an_announcement_counts_its_reader_as_seen_once_and_never_its_author(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var gid = await PostTypeHelpers.GroupAsync(owner, "private", member);
        var id = (await owner.CreateAsync(gid, "announcements", new { text = "New travel policy" })).Str("id");

        async Task<int> SeenCount() => (await owner.DetailsAsync(id)).GetProperty("seenCount").GetInt32();
        var author = await WebBrowser.SignInAsync(server, owner);
        Assert.Equal(HttpStatusCode.OK, (await author.GetAsync($"/posts/{id}")).StatusCode);
        Assert.Equal(0, await SeenCount());

        var reader = await WebBrowser.SignInAsync(server, member);
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/posts/{id}")).StatusCode);
        Assert.Equal(1, await SeenCount());
        Assert.Contains("Seen by 1", await (await reader.GetAsync($"/posts/{id}")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await member.DetailsAsync(id)).GetProperty("seenByMe").GetBoolean());

        var stranger = await WebBrowser.SignInAsync(server, outsider);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/posts/{id}")).StatusCode);
        Assert.Equal(1, await SeenCount());
    }
}
