using System.Net;
using System.Net.Http.Json;

namespace Chorus.Tests.GroupPages;

/// <summary>A private group's pages, FAQ, articles and files: readable by members only, and no longer by those who left.</summary>
public sealed class AccessTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Non_members_and_former_members_cannot_reach_a_private_groups_content(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var former = await server.CreateUserAsync();
        var stranger = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(owner, "private");
        await GroupSetup.AddAsync(owner, gid, former);

        var file = await GroupSetup.UploadOkAsync(owner, gid, GroupSetup.Pdf(), "secret.pdf");
        await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/pages", new { title = "Roadmap", slug = "roadmap", body = "private plans" })).JsonAsync(HttpStatusCode.Created);
        await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/faq", new { question = "Q", answer = "A" })).JsonAsync(HttpStatusCode.Created);
        var article = await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/articles",
            new { title = "Internal", body = "only for us", fileIds = new[] { file.Str("id") } })).JsonAsync(HttpStatusCode.Created);

        // While a member, everything is readable.
        Assert.Equal(HttpStatusCode.OK, (await former.Client.GetAsync(file.Str("url"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await former.Client.GetAsync($"/api/v1/groups/{gid}/pages/roadmap")).StatusCode);
        await (await former.Client.PostAsync($"/api/v1/groups/{gid}/leave", null)).JsonAsync();

        foreach (var outsider in new[] { stranger, former })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Client.GetAsync(file.Str("url"))).StatusCode);
            await (await outsider.Client.GetAsync($"/api/v1/files/{file.Str("id")}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
            await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/files")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/pages")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/pages/roadmap")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/pages/roadmap/revisions")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await outsider.Client.PutAsJsonAsync($"/api/v1/groups/{gid}/pages/roadmap", new { title = "x", body = "y", baseRevision = 1 }))
                .ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/faq")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/articles")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await outsider.Client.GetAsync($"/api/v1/groups/{gid}/articles/{article.Str("id")}")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await outsider.Client.GetAsync($"/api/v1/posts/{article.Str("id")}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
            await (await GroupSetup.UploadAsync(outsider, gid, GroupSetup.Pdf(), "mine.pdf")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_secret_groups_content_is_a_404_and_a_deleted_groups_files_are_gone(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var stranger = await server.CreateUserAsync();
        var secret = await GroupSetup.CreateGroupAsync(owner, "secret");
        await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{secret}/pages", new { title = "Hidden", body = "" })).JsonAsync(HttpStatusCode.Created);
        await (await stranger.Client.GetAsync($"/api/v1/groups/{secret}/pages/hidden")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await stranger.Client.GetAsync($"/api/v1/groups/{secret}/faq")).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        var pub = await GroupSetup.CreateGroupAsync(owner, "public");
        var file = await GroupSetup.UploadOkAsync(owner, pub, GroupSetup.Png(4, 4), "a.png");
        Assert.Equal(HttpStatusCode.OK, (await stranger.Client.GetAsync(file.Str("url"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/groups/{pub}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.GetAsync(file.Str("url"))).StatusCode);
        await (await owner.Client.GetAsync($"/api/v1/files/{file.Str("id")}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
