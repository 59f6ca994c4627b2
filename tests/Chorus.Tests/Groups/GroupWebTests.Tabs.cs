using System.Net;
using System.Net.Http.Json;
using Chorus.Tests.PostTypes;

namespace Chorus.Tests.Groups;

public sealed partial class GroupWebTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Members_switch_the_group_in_their_home_feed_and_others_see_no_switch(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var gid = await PostTypeHelpers.GroupAsync(owner, "public", member);
        var page = $"/groups/{gid}";

        var asMember = await WebBrowser.SignInAsync(server, member);
        var html = await asMember.HtmlAsync(page);
        Assert.Contains($"action=\"{page}?handler=Home\"", html);
        Assert.Contains("role=\"switch\" aria-checked=\"true\"", html);
        var off = await asMember.PostAsync(page + "?handler=Home", ("show", "false"));
        Assert.Equal(page, off.Target());
        Assert.False((await (await member.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).GetProperty("showInHome").GetBoolean());
        Assert.Contains("role=\"switch\" aria-checked=\"false\"", await asMember.HtmlAsync(page));
        Assert.Equal(page, (await asMember.PostAsync(page + "?handler=Home", ("show", "true"))).Target());
        Assert.True((await (await member.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).GetProperty("showInHome").GetBoolean());

        // Someone outside the group sees no switch, and posting one anyway changes nothing and says why.
        var asOutsider = await WebBrowser.SignInAsync(server, outsider);
        var outside = await asOutsider.HtmlAsync(page);
        Assert.DoesNotContain("handler=Home", outside);
        Assert.Contains("Join group", outside);
        var refused = await asOutsider.PostAsync(page + "?handler=Home", ("show", "false"));
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("membership was not found", await refused.Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task About_tab_shows_what_the_group_is_and_who_runs_it_to_readers_only(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var admin = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var name = "About " + Guid.NewGuid().ToString("N")[..8];
        var gid = (await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name, description = "Where the offsite gets planned", kind = "private" })).JsonAsync(HttpStatusCode.Created)).Str("id");
        (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { admin.Handle }, role = "admin" })).EnsureSuccessStatusCode();
        (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { member.Handle } })).EnsureSuccessStatusCode();
        var created = (await (await owner.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).GetProperty("createdAt").GetDateTime();

        var asMember = await WebBrowser.SignInAsync(server, member);
        Assert.Contains($"href=\"/groups/{gid}/about\"", await asMember.HtmlAsync($"/groups/{gid}"));
        // Decoded: the pages encode every character outside ASCII (dashes, middle dots) as an entity.
        var about = WebUtility.HtmlDecode(await asMember.HtmlAsync($"/groups/{gid}/about"));
        Assert.Contains("Where the offsite gets planned", about);
        Assert.Contains("Private — listed in the directory", about);
        Assert.Contains("3 members", about);
        Assert.Contains($"datetime=\"{created.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}\"", about);
        var owners = about[about.IndexOf("Owners (1)", StringComparison.Ordinal)..about.IndexOf("Admins (1)", StringComparison.Ordinal)];
        Assert.Contains(owner.Handle, owners);
        Assert.DoesNotContain(admin.Handle, owners);
        var admins = about[about.IndexOf("Admins (1)", StringComparison.Ordinal)..about.IndexOf("</main>", StringComparison.Ordinal)];
        Assert.Contains(admin.Handle, admins);
        Assert.DoesNotContain(member.Handle, owners + admins);
        Assert.Contains("aria-current=\"page\">About", about);

        var asOutsider = await WebBrowser.SignInAsync(server, outsider);
        await asOutsider.HtmlAsync($"/groups/{gid}/about", HttpStatusCode.Forbidden);
        var secret = await PostTypeHelpers.GroupAsync(owner, "secret");
        await asOutsider.HtmlAsync($"/groups/{secret}/about", HttpStatusCode.NotFound);
    }
}
