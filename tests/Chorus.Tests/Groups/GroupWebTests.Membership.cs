using System.Net.Http.Json;
using Chorus.Tests.PostTypes;

namespace Chorus.Tests.Groups;

public sealed partial class GroupWebTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task From_the_web_admins_add_or_invite_and_people_join_accept_decline_and_leave(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var added = await server.CreateUserAsync();
        var accepts = await server.CreateUserAsync();
        var declines = await server.CreateUserAsync();
        var walker = await server.CreateUserAsync();
        var gid = await PostTypeHelpers.GroupAsync(owner, "private");
        var open = await PostTypeHelpers.GroupAsync(owner, "public");
        async Task<string> StateOf(TestUser user, string group) => (await (await user.Client.GetAsync($"/api/v1/groups/{group}")).JsonAsync()).Str("myState") ?? "none";

        var admin = await WebBrowser.SignInAsync(server, owner);
        var members = $"/groups/{gid}/members";
        Assert.Contains("value=\"invite\"", await admin.HtmlAsync(members));
        await admin.PostAsync(members + "?handler=Add", ("handles", added.Handle), ("mode", "add"));
        await admin.PostAsync(members + "?handler=Add", ("handles", $"{accepts.Handle}, {declines.Handle}"), ("mode", "invite"));
        Assert.Equal("member", await StateOf(added, gid));
        Assert.Equal("invited", await StateOf(accepts, gid));

        // The invited see the invitation in the directory and answer it there.
        var yes = await WebBrowser.SignInAsync(server, accepts);
        Assert.Contains($"action=\"/groups/{gid}?handler=Join\"", await yes.HtmlAsync("/groups"));
        Assert.Equal($"/groups/{gid}", (await yes.PostAsync($"/groups/{gid}?handler=Join")).Target());
        Assert.Equal("member", await StateOf(accepts, gid));
        var no = await WebBrowser.SignInAsync(server, declines);
        await no.HtmlAsync("/groups");
        await no.PostAsync($"/groups/{gid}?handler=Leave");
        Assert.Equal("none", await StateOf(declines, gid));

        // A public group is joined and left from its page.
        var browser = await WebBrowser.SignInAsync(server, walker);
        await browser.HtmlAsync($"/groups/{open}");
        Assert.Equal($"/groups/{open}", (await browser.PostAsync($"/groups/{open}?handler=Join")).Target());
        Assert.Equal("member", await StateOf(walker, open));
        await browser.PostAsync($"/groups/{open}?handler=Leave");
        Assert.Equal("none", await StateOf(walker, open));
    }
}
