using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Server.Features.PostTypes;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.PostTypes;

public sealed class PollTests(Servers servers)
{
    public static TheoryData<string, string, string> BadPolls => new()
    {
        { "Sqlite", """{"text":"q","options":["only one"]}""", "options" },
        { "Postgres", """{"text":"q","options":["1","2","3","4","5","6","7","8","9","10","11"]}""", "options" },
        { "Sqlite", """{"text":"q","options":["a",""]}""", "options[1]" },
        { "Postgres", "{\"text\":\"q\",\"options\":[\"a\",\"" + new string('x', 201) + "\"]}", "options[1]" },
        { "Sqlite", """{"text":"q","options":["a","b"],"closesAt":"2001-01-01T00:00:00Z"}""", "closesAt" },
        { "Postgres", """{"text":"q","options":["a","b"],"closesAt":"2999-01-01T00:00:00Z"}""", "closesAt" },
        { "Sqlite", """{"text":"q","options":["a","A"]}""", "options" },
    };

    [Theory, MemberData(nameof(BadPolls))]
    public async Task Bad_polls_are_refused_naming_the_field(string db, string body, string field)
    {
        var ada = await servers[db].CreateUserAsync();
        var response = await ada.Client.PostAsync("/api/v1/groups/1/polls", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task One_vote_per_person_changed_with_put_and_results_hidden_until_you_vote(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var poll = await author.CreateAsync("1", "polls", new { text = "Lunch?", options = new[] { "Pizza", "Sushi", "Salad" } });
        var id = poll.Str("id");
        Assert.False(poll.GetProperty("details").GetProperty("resultsVisible").GetBoolean()); // not even the author, before voting

        var before = await ada.DetailsAsync(id);
        Assert.False(before.GetProperty("resultsVisible").GetBoolean());
        Assert.All(before.GetProperty("options").EnumerateArray(), o => Assert.Equal(JsonValueKind.Null, o.GetProperty("votes").ValueKind));

        await (await ada.Client.PostAsJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 0, 1 } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        await (await ada.Client.PostAsJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 7 } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        var voted = await (await ada.Client.PostAsJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 1 } })).JsonAsync();
        Assert.Equal(1, voted.GetProperty("options")[1].GetProperty("votes").GetInt32());
        await (await ada.Client.PostAsJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 2 } }))
            .ProblemAsync(HttpStatusCode.Conflict, "already-voted");
        var changed = await (await ada.Client.PutJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 2 } })).JsonAsync();
        Assert.Equal([0, 0, 1], changed.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("votes").GetInt32()));
        Assert.Equal([2], changed.GetProperty("myVote").EnumerateArray().Select(o => o.GetInt32()));
        await (await ben.Client.PutJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 2 } })).JsonAsync();
        Assert.Equal(2, (await ada.DetailsAsync(id)).GetProperty("voters").GetInt32());
        // Each vote records post.updated, so open streams refresh the card (through the visibility rule like any post event).
        Assert.True(await server.InDbAsync(d => d.Events.CountAsync(e => e.PostId == long.Parse(id) && e.Kind == "post.updated")) >= 3);

        // Closed: nobody votes or changes a vote, and everyone sees the results.
        await server.InDbAsync(d => d.Set<Poll>().Where(p => p.PostId == long.Parse(id))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ClosesAt, DateTime.UtcNow.AddMinutes(-1))));
        var carol = await server.CreateUserAsync();
        await (await carol.Client.PostAsJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 0 } }))
            .ProblemAsync(HttpStatusCode.Conflict, "poll-closed");
        await (await ada.Client.PutJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 0 } }))
            .ProblemAsync(HttpStatusCode.Conflict, "poll-closed");
        var closed = await carol.DetailsAsync(id);
        Assert.True(closed.GetProperty("closed").GetBoolean());
        Assert.Equal(2, closed.GetProperty("options")[2].GetProperty("votes").GetInt32());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Multiple_choice_polls_take_several_options(string db)
    {
        var server = servers[db];
        var author = await server.CreateUserAsync();
        var ada = await server.CreateUserAsync();
        var id = (await author.CreateAsync("1", "polls", new { text = "Which days?", options = new[] { "Mon", "Tue", "Wed" }, multiple = true,
            closesAt = DateTime.UtcNow.AddDays(2) })).Str("id");
        var voted = await (await ada.Client.PostAsJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 0, 2 } })).JsonAsync();
        Assert.Equal([1, 0, 1], voted.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("votes").GetInt32()));
        Assert.Equal(1, voted.GetProperty("voters").GetInt32());
        await (await ada.Client.PostAsJsonAsync($"/api/v1/posts/{id}/votes", new { options = new[] { 0, 0 } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
    }
}
