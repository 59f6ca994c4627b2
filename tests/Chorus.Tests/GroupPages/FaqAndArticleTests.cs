using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chorus.Tests.GroupPages;

public sealed class FaqAndArticleTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Only_group_admins_edit_the_faq_and_a_reorder_must_be_a_permutation(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(owner, "public");
        await GroupSetup.AddAsync(owner, gid, member);
        var faq = $"/api/v1/groups/{gid}/faq";

        var q1 = await (await owner.Client.PostAsJsonAsync(faq, new { question = "Who?", answer = "**Us**" })).JsonAsync(HttpStatusCode.Created);
        var q2 = await (await owner.Client.PostAsJsonAsync(faq, new { question = "When?", answer = "Now" })).JsonAsync(HttpStatusCode.Created);
        var q3 = await (await owner.Client.PostAsJsonAsync(faq, new { question = "Why?", answer = "Because" })).JsonAsync(HttpStatusCode.Created);
        Assert.Contains("<strong>Us</strong>", q1.Str("answerHtml"));

        await (await member.Client.PostAsJsonAsync(faq, new { question = "Me?", answer = "No" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await member.Client.PutAsJsonAsync($"{faq}/{q1.Str("id")}", new { question = "x", answer = "y" })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await member.Client.DeleteAsync($"{faq}/{q1.Str("id")}")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await member.Client.PutAsJsonAsync($"{faq}/order", new { ids = new[] { q3.Str("id"), q2.Str("id"), q1.Str("id") } })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var seen = await (await member.Client.GetAsync(faq)).JsonAsync();
        Assert.False(seen.GetProperty("canEdit").GetBoolean());

        await (await owner.Client.PutAsJsonAsync($"{faq}/order", new { ids = new[] { q3.Str("id"), q1.Str("id") } })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await owner.Client.PutAsJsonAsync($"{faq}/order", new { ids = new[] { q3.Str("id"), q1.Str("id"), q1.Str("id") } })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await owner.Client.PutAsJsonAsync($"{faq}/order", new { ids = new[] { q3.Str("id"), q1.Str("id"), "123" } })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        var reordered = await (await owner.Client.PutAsJsonAsync($"{faq}/order", new { ids = new[] { q3.Str("id"), q1.Str("id"), q2.Str("id") } })).JsonAsync();
        Assert.Equal(["Why?", "Who?", "When?"], reordered.GetProperty("entries").EnumerateArray().Select(e => e.Str("question")));

        await (await owner.Client.PutAsJsonAsync($"{faq}/{q2.Str("id")}", new { question = "When exactly?", answer = "Tomorrow" })).JsonAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"{faq}/{q1.Str("id")}")).StatusCode);
        var final = await (await member.Client.GetAsync(faq)).JsonAsync();
        Assert.Equal(["Why?", "When exactly?"], final.GetProperty("entries").EnumerateArray().Select(e => e.Str("question")));
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task An_article_is_a_post_with_a_card_in_the_feed_and_comments_as_replies(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(ada, "public");
        var cover = await GroupSetup.UploadOkAsync(ada, gid, GroupSetup.Png(64, 32), "cover.png", "image/png");
        var pdf = await GroupSetup.UploadOkAsync(ada, gid, GroupSetup.Pdf(), "spec.pdf");
        var body = "First paragraph about the launch.\n\nSecond paragraph with **detail**.\n\n" + new string('z', 2000);

        var article = await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/articles",
            new { title = "Launch retrospective", body, coverFileId = cover.Str("id"), fileIds = new[] { pdf.Str("id") } })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("Launch retrospective", article.Str("title"));
        Assert.Contains("<strong>detail</strong>", article.Str("html"));
        Assert.Equal(cover.Str("url"), article.Str("coverUrl"));
        Assert.Equal("article", article.GetProperty("post").Str("kind"));
        Assert.Equal([pdf.Str("id")], article.GetProperty("files").EnumerateArray().Select(f => f.Str("id")).Where(i => i != cover.Str("id")));

        var feed = await (await ben.Client.GetAsync($"/api/v1/groups/{gid}/feed")).JsonAsync();
        var card = feed.GetProperty("items").EnumerateArray().Single(p => p.Str("id") == article.Str("id"));
        Assert.Equal("article", card.Str("kind"));
        var details = card.GetProperty("details");
        Assert.Equal("Launch retrospective", details.Str("title"));
        Assert.Equal(cover.Str("url"), details.Str("coverUrl"));
        Assert.StartsWith("First paragraph about the launch. Second paragraph with detail.", details.Str("excerpt"));
        Assert.Equal($"/groups/{gid}/articles/{article.Str("id")}", details.Str("url"));

        await (await ben.PostAsync("Great write-up", article.Str("id"))).JsonAsync(HttpStatusCode.Created);
        var list = await (await ben.Client.GetAsync($"/api/v1/groups/{gid}/articles")).JsonAsync();
        var item = list.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(1, item.GetProperty("replyCount").GetInt32());

        var files = await (await ben.Client.GetAsync($"/api/v1/groups/{gid}/files")).JsonAsync();
        var usedBy = files.GetProperty("items").EnumerateArray().Single(f => f.Str("id") == pdf.Str("id")).GetProperty("usedBy");
        Assert.Equal("article", usedBy[0].Str("kind"));
        Assert.Equal("Launch retrospective", usedBy[0].Str("title"));

        await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/articles", new { title = new string('t', 201), body = "x" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/articles", new { title = "t", body = "x", coverFileId = pdf.Str("id") }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ben.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/articles", new { title = "t", body = "x" }))
            .ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
