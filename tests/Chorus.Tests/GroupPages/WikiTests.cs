using System.Net;
using System.Net.Http.Json;

namespace Chorus.Tests.GroupPages;

public sealed class WikiTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Pages_keep_revisions_diff_them_and_restore_as_a_new_revision(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(owner, "public");
        await GroupSetup.AddAsync(owner, gid, member);

        var page = await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/pages",
            new { title = "On-call Guide!", body = "line one\nline two\nline three" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("on-call-guide", page.Str("slug"));
        Assert.Equal(1, page.GetProperty("revision").GetInt32());
        var url = $"/api/v1/groups/{gid}/pages/on-call-guide";

        var second = await (await member.Client.PutAsJsonAsync(url,
            new { title = "On-call Guide!", body = "line one\nline 2\nline three\nline four <script>x</script>", baseRevision = 1 })).JsonAsync();
        Assert.Equal(2, second.GetProperty("revision").GetInt32());
        Assert.DoesNotContain("<script", second.Str("html"));
        Assert.Equal(member.Handle, second.GetProperty("updatedBy").Str("handle"));

        var revisions = await (await owner.Client.GetAsync(url + "/revisions")).JsonAsync();
        Assert.Equal([2, 1], revisions.EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));
        Assert.Equal([member.Handle, owner.Handle], revisions.EnumerateArray().Select(r => r.GetProperty("author").Str("handle")));
        Assert.True(revisions[0].GetProperty("current").GetBoolean());

        var diff = await (await owner.Client.GetAsync(url + "/diff?from=1&to=2")).JsonAsync();
        var lines = diff.GetProperty("lines").EnumerateArray().Select(l => $"{l.Str("op")}:{l.Str("text")}").ToList();
        Assert.Equal(["same:line one", "remove:line two", "add:line 2", "same:line three", "add:line four <script>x</script>"], lines);
        Assert.Equal(2, diff.GetProperty("added").GetInt32());

        var restored = await (await owner.Client.PostAsJsonAsync(url + "/revisions/1/restore", new { baseRevision = 2 })).JsonAsync();
        Assert.Equal(3, restored.GetProperty("revision").GetInt32());
        Assert.Equal("line one\nline two\nline three", restored.Str("body"));
        var after = await (await owner.Client.GetAsync(url + "/revisions")).JsonAsync();
        Assert.Equal(1, after[0].GetProperty("restoredFrom").GetInt32());
        Assert.Equal(3, after.GetArrayLength());
        var old = await (await owner.Client.GetAsync(url + "/revisions/2")).JsonAsync();
        Assert.StartsWith("line one\nline 2", old.Str("body"));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_save_from_an_old_revision_is_a_409_with_the_current_text_and_nothing_is_lost(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(ada, "private");
        await GroupSetup.AddAsync(ada, gid, ben);
        var url = $"/api/v1/groups/{gid}/pages/plan";
        await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/pages", new { title = "Plan", slug = "plan", body = "v1" })).JsonAsync(HttpStatusCode.Created);

        // Both start editing revision 1; Ben saves first.
        await (await ben.Client.PutAsJsonAsync(url, new { title = "Plan", body = "ben's text", baseRevision = 1 })).JsonAsync();
        var conflict = await (await ada.Client.PutAsJsonAsync(url, new { title = "Plan", body = "ada's text", baseRevision = 1 }))
            .ProblemAsync(HttpStatusCode.Conflict, "edit-conflict");
        Assert.Equal(2, conflict.GetProperty("currentRevision").GetInt32());
        Assert.Equal("ben's text", conflict.Str("currentBody"));
        Assert.Equal("ada's text", conflict.Str("yourBody"));

        var current = await (await ada.Client.GetAsync(url)).JsonAsync();
        Assert.Equal("ben's text", current.Str("body"));
        var merged = await (await ada.Client.PutAsJsonAsync(url, new { title = "Plan", body = "ben's text\nada's text", baseRevision = 2 })).JsonAsync();
        Assert.Equal(3, merged.GetProperty("revision").GetInt32());

        await (await ada.Client.PutAsJsonAsync(url, new { title = "Plan", body = "x" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.Client.PutAsJsonAsync(url, new { title = "Plan", body = new string('a', 100_001), baseRevision = 3 }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/pages", new { title = "Plan", slug = "plan", body = "again" }))
            .ProblemAsync(HttpStatusCode.Conflict, "slug-taken");
        await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/pages", new { title = "Bad", slug = "Not A Slug", body = "" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Simultaneous_saves_from_one_revision_let_exactly_one_win(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(ada, "public");
        await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/pages", new { title = "Race", slug = "race", body = "v1" })).JsonAsync(HttpStatusCode.Created);

        var saves = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            ada.Client.PutAsJsonAsync($"/api/v1/groups/{gid}/pages/race", new { title = "Race", body = $"edit {i}", baseRevision = 1 })));
        Assert.Equal(1, saves.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5, saves.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var revisions = await (await ada.Client.GetAsync($"/api/v1/groups/{gid}/pages/race/revisions")).JsonAsync();
        Assert.Equal(2, revisions.GetArrayLength());
    }

    [Fact]
    public void The_line_diff_is_minimal_for_small_edits_and_correct_for_large_ones()
    {
        var d = Chorus.Server.Features.GroupPages.LineDiff.Compute("a\nb\nc\nd", "a\nc\nd\ne");
        Assert.Equal(["same:a", "remove:b", "same:c", "same:d", "add:e"], d.Select(l => $"{l.Op}:{l.Text}"));
        Assert.Empty(Chorus.Server.Features.GroupPages.LineDiff.Compute("", ""));
        var many = string.Join('\n', Enumerable.Range(0, 3000).Select(i => "x" + i));
        var other = string.Join('\n', Enumerable.Range(0, 3000).Select(i => "y" + i));
        var big = Chorus.Server.Features.GroupPages.LineDiff.Compute(many, other);
        Assert.Equal(3000, big.Count(l => l.Op == "remove"));
        Assert.Equal(3000, big.Count(l => l.Op == "add"));
    }
}
