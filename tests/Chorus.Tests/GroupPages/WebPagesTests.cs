using System.Net;
using System.Net.Http.Json;

namespace Chorus.Tests.GroupPages;

/// <summary>The server-rendered screens for pages, FAQ, articles and files render for readers and refuse outsiders.</summary>
public sealed class WebPagesTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task The_group_content_screens_render_for_members_and_refuse_outsiders(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var stranger = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(owner, "private");
        var file = await GroupSetup.UploadOkAsync(owner, gid, GroupSetup.Png(8, 8), "diagram.png");
        await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/pages", new { title = "Handbook", body = "hello <b>world</b>", fileIds = new[] { file.Str("id") } })).JsonAsync(HttpStatusCode.Created);
        await (await owner.Client.PutAsJsonAsync($"/api/v1/groups/{gid}/pages/handbook", new { title = "Handbook", body = "hello again", baseRevision = 1 })).JsonAsync();
        await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/faq", new { question = "Where is lunch?", answer = "Floor 3" })).JsonAsync(HttpStatusCode.Created);
        var article = await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/articles", new { title = "Quarterly notes", body = "All good.", coverFileId = file.Str("id") })).JsonAsync(HttpStatusCode.Created);

        var screens = new (string Url, string Expect)[]
        {
            ($"/groups/{gid}/pages", "Handbook"),
            ($"/groups/{gid}/pages/handbook", "hello again"),
            ($"/groups/{gid}/pages/handbook/edit", "name=\"baseRevision\" value=\"2\""),
            ($"/groups/{gid}/pages/handbook/history", "restore-1"),
            ($"/groups/{gid}/pages/handbook/diff?from=1&to=2", "diff-remove"),
            ($"/groups/{gid}/faq", "Where is lunch?"),
            ($"/groups/{gid}/articles", "Quarterly notes"),
            ($"/groups/{gid}/articles/new", "coverFileId"),
            ($"/groups/{gid}/articles/{article.Str("id")}", "All good."),
            ($"/groups/{gid}/files", "diagram.png"),
        };
        foreach (var (url, expect) in screens)
        {
            var response = await owner.Client.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
            Assert.Contains(expect, html);
            Assert.DoesNotContain("<b>world</b>", html);
            Assert.DoesNotContain(" style=", html);
            Assert.DoesNotContain("<script>", html);
        }
        foreach (var (url, _) in screens)
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.Client.GetAsync(url)).StatusCode);
    }
}
