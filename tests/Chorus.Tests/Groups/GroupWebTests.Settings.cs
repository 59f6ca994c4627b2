using System.Net;
using System.Net.Http.Json;

namespace Chorus.Tests.Groups;

public sealed partial class GroupWebTests
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Group_settings_rename_and_delete_for_managers_and_refuse_everyone_else(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var admin = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var name = "Settings " + Guid.NewGuid().ToString("N")[..8];
        var gid = (await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name, description = "before", kind = "private" })).JsonAsync(HttpStatusCode.Created)).Str("id");
        (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { admin.Handle }, role = "admin" })).EnsureSuccessStatusCode();
        (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/members", new { handles = new[] { member.Handle } })).EnsureSuccessStatusCode();
        var taken = "Taken " + Guid.NewGuid().ToString("N")[..8];
        await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name = taken })).JsonAsync(HttpStatusCode.Created);
        var secretGid = (await (await owner.Client.PostAsJsonAsync("/api/v1/groups", new { name = name + " s", kind = "secret" })).JsonAsync(HttpStatusCode.Created)).Str("id");
        var settings = $"/groups/{gid}/settings";

        // Members, outsiders and strangers to a secret group are refused the way the other group pages refuse them.
        var asMember = await WebBrowser.SignInAsync(server, member);
        Assert.DoesNotContain($"href=\"/groups/{gid}/settings\"", await asMember.HtmlAsync($"/groups/{gid}"));
        await asMember.HtmlAsync(settings, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await asMember.PostAsync(settings + "?handler=Save", ("name", "Hijacked"), ("description", ""), ("kind", "public"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asMember.PostAsync(settings + "?handler=Delete", ("confirmName", name))).StatusCode);
        var asOutsider = await WebBrowser.SignInAsync(server, outsider);
        await asOutsider.HtmlAsync(settings, HttpStatusCode.Forbidden);
        await asOutsider.HtmlAsync($"/groups/{secretGid}/settings", HttpStatusCode.NotFound);
        Assert.Equal(name, (await (await owner.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).Str("name"));

        // An admin changes the group but is not offered deleting it (owners are).
        var asAdmin = await WebBrowser.SignInAsync(server, admin);
        Assert.Contains($"href=\"/groups/{gid}/settings\"", await asAdmin.HtmlAsync($"/groups/{gid}"));
        var adminPage = await asAdmin.HtmlAsync(settings);
        Assert.Contains($"value=\"{name}\"", adminPage);
        Assert.DoesNotContain("Delete group", adminPage);

        var asOwner = await WebBrowser.SignInAsync(server, owner);
        Assert.Contains("Delete group", await asOwner.HtmlAsync(settings));

        // Errors show next to their field, or above the form when they name none; what was typed stays.
        var empty = await asOwner.PostAsync(settings + "?handler=Save", ("name", " "), ("description", "typed text stays"), ("kind", "secret"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        var emptyHtml = await empty.Content.ReadAsStringAsync();
        Assert.Contains("id=\"name-error\"", emptyHtml);
        Assert.Contains("aria-describedby=\"name-error\"", emptyHtml);
        Assert.Contains("typed text stays</textarea>", emptyHtml);
        Assert.Contains("value=\"secret\" checked", emptyHtml);
        var clash = await asOwner.PostAsync(settings + "?handler=Save", ("name", taken), ("description", "typed again"), ("kind", "private"));
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        var clashHtml = await clash.Content.ReadAsStringAsync();
        Assert.Contains("already exists", clashHtml);
        Assert.Contains($"value=\"{taken}\"", clashHtml);
        Assert.Equal("before", (await (await owner.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync()).Str("description"));

        var renamed = name + " renamed";
        var saved = await asAdmin.PostAsync(settings + "?handler=Save", ("name", renamed), ("description", "after"), ("kind", "public"));
        Assert.Equal(settings + "?saved=true", saved.Target());
        Assert.Contains("Saved.", await asAdmin.HtmlAsync(settings + "?saved=true"));
        var after = await (await owner.Client.GetAsync($"/api/v1/groups/{gid}")).JsonAsync();
        Assert.Equal((renamed, "after", "public"), (after.Str("name"), after.Str("description"), after.Str("kind")));

        // Deleting takes a second step with the group's name typed.
        var confirm = await asOwner.HtmlAsync(settings + "?step=delete");
        Assert.Contains("name=\"confirmName\"", confirm);
        var wrong = await asOwner.PostAsync(settings + "?handler=Delete", ("confirmName", "not the name"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        var wrongHtml = await wrong.Content.ReadAsStringAsync();
        Assert.Contains("id=\"confirmName-error\"", wrongHtml);
        Assert.Contains("value=\"not the name\"", wrongHtml);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/v1/groups/{gid}")).StatusCode);
        var deleted = await asOwner.PostAsync(settings + "?handler=Delete", ("confirmName", renamed));
        Assert.Equal("/groups", deleted.Target());
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.GetAsync($"/api/v1/groups/{gid}")).StatusCode);
    }
}
