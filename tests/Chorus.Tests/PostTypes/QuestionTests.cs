using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chorus.Tests.PostTypes;

public sealed class QuestionTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task The_asker_marks_a_best_answer_and_the_answered_filter_follows(string db)
    {
        var server = servers[db];
        var asker = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var stranger = await server.CreateUserAsync();
        var group = await PostTypeHelpers.GroupAsync(asker, "public", ben);
        var question = await asker.CreateAsync(group, "questions", new { text = "Where is the VPN guide?" });
        var id = question.Str("id");
        Assert.False(question.GetProperty("details").GetProperty("answered").GetBoolean());

        // The asker's own follow-up is not an answer; the first reply by someone else sets the time to first reply.
        await (await asker.PostAsync("Anyone?", id)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, (await asker.DetailsAsync(id)).GetProperty("firstReplyAt").ValueKind);
        var reply = await (await ben.PostAsync("On the wiki", id)).JsonAsync(HttpStatusCode.Created);
        var details = await asker.DetailsAsync(id);
        Assert.NotEqual(JsonValueKind.Null, details.GetProperty("firstReplyAt").ValueKind);
        Assert.True(details.GetProperty("secondsToFirstReply").GetInt64() >= 0);

        var unanswered = await (await asker.Client.GetAsync($"/api/v1/questions?state=unanswered&groupId={group}")).JsonAsync();
        Assert.Equal([id], unanswered.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));

        var other = await (await ben.PostAsync("unrelated")).JsonAsync(HttpStatusCode.Created);
        await (await stranger.Client.PostAsJsonAsync($"/api/v1/posts/{id}/best-answer", new { replyId = reply.Str("id") }))
            .ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var bad = await (await asker.Client.PostAsJsonAsync($"/api/v1/posts/{id}/best-answer", new { replyId = other.Str("id") }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(bad.GetProperty("errors").TryGetProperty("replyId", out _));
        await (await asker.Client.PostAsJsonAsync($"/api/v1/posts/{id}/best-answer", new { replyId = id }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");

        var marked = await (await asker.Client.PostAsJsonAsync($"/api/v1/posts/{id}/best-answer", new { replyId = reply.Str("id") })).JsonAsync();
        Assert.Equal(reply.Str("id"), marked.Str("bestAnswerId"));
        Assert.True(marked.GetProperty("secondsToBestAnswer").GetInt64() >= 0);
        var answered = await (await ben.Client.GetAsync($"/api/v1/questions?state=answered&groupId={group}")).JsonAsync();
        Assert.Equal([id], answered.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        var acrossOrg = await (await ben.Client.GetAsync("/api/v1/questions?state=answered&limit=100")).JsonAsync();
        Assert.Contains(id, acrossOrg.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        unanswered = await (await asker.Client.GetAsync($"/api/v1/questions?state=unanswered&groupId={group}")).JsonAsync();
        Assert.Empty(unanswered.GetProperty("items").EnumerateArray());

        var unmarked = await (await asker.Client.DeleteAsync($"/api/v1/posts/{id}/best-answer")).JsonAsync();
        Assert.False(unmarked.GetProperty("answered").GetBoolean());
        await (await asker.Client.GetAsync("/api/v1/questions?state=sideways")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_group_admin_may_choose_the_best_answer(string db)
    {
        var server = servers[db];
        var owner = await server.CreateUserAsync();
        var asker = await server.CreateUserAsync();
        var group = await PostTypeHelpers.GroupAsync(owner, "public", asker);
        var id = (await asker.CreateAsync(group, "questions", new { text = "How?" })).Str("id");
        var reply = await (await owner.PostAsync("Like this", id)).JsonAsync(HttpStatusCode.Created);
        var marked = await (await owner.Client.PostAsJsonAsync($"/api/v1/posts/{id}/best-answer", new { replyId = reply.Str("id") })).JsonAsync();
        Assert.True(marked.GetProperty("answered").GetBoolean());
    }
}
