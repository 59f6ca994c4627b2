using System.Net;
using Chorus.Server.Features.Realtime;
using Chorus.Server.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Realtime;

public sealed class ResumeAcrossRestartTests
{
    [Fact]
    public async Task A_client_resumes_exactly_across_a_server_restart_on_sqlite()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "chorus-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Chorus:DataDirectory"] = dataDir };
        long last;
        string authorHandle, readerToken, authorToken;
        using (var first = new ChorusServer("Sqlite", settings))
        {
            var reader = await first.CreateUserAsync();
            var author = await first.CreateUserAsync();
            (authorHandle, readerToken, authorToken) = (author.Handle, reader.Token, author.Token);
            await reader.Client.PostAsync($"/api/v1/people/{author.Handle}/follow", null);
            await using var sse = await SseClient.ConnectAsync(reader.Client, "user");
            await author.PostAsync("before the restart");
            last = (await sse.WaitForAsync(e => e.Event == "post.created")).Id!.Value;
            await author.PostAsync("missed 1");
            await author.PostAsync("missed 2");
        }

        using var second = new ChorusServer("Sqlite", settings);
        var readerClient = second.CreateClient();
        readerClient.DefaultRequestHeaders.Authorization = new("Bearer", readerToken);
        var authorClient = second.CreateClient();
        authorClient.DefaultRequestHeaders.Authorization = new("Bearer", authorToken);
        await (await authorClient.PostAsync("/api/v1/posts", System.Net.Http.Json.JsonContent.Create(new { text = "missed 3" }))).JsonAsync(HttpStatusCode.Created);
        await using var resumed = await SseClient.ConnectAsync(readerClient, "user", last);
        var events = (await resumed.DrainAsync(TimeSpan.FromSeconds(2))).Where(e => e.Event == "post.created").ToList();
        Assert.Equal(["missed 1", "missed 2", "missed 3"], events.Select(e => e.Json.Str("text")));
        Assert.Equal(authorHandle, events[0].Json.GetProperty("author").Str("handle"));
    }

    [Fact]
    public async Task A_client_too_far_behind_is_told_to_resync()
    {
        using var server = new ChorusServer("Sqlite", new Dictionary<string, string?> { ["Chorus:Streaming:RetentionEvents"] = "100", ["Chorus:Streaming:RetentionHours"] = "1" });
        var author = await server.CreateUserAsync();
        await using (var sse = await SseClient.ConnectAsync(author.Client, "company"))
        {
            for (var i = 0; i < 110; i++) await author.PostAsync($"post {i}");
            await sse.WaitForAsync(e => e.Event == "post.created" && e.Json.Str("text") == "post 109");
        }
        // Age the log past the window, then prune as the background job would.
        await server.InDbAsync(db => System.Threading.Tasks.Task.FromResult(0));
        var pruned = await server.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<Chorus.Server.Data.ChorusDb>();
            foreach (var e in db.Events) e.CreatedAt = DateTime.UtcNow.AddHours(-2);
            await db.SaveChangesAsync();
            return await EventRetention.PruneAsync(db, sp.GetRequiredService<ChorusSettings>(), TimeProvider.System, CancellationToken.None);
        });
        Assert.True(pruned >= 10);
        await using var late = await SseClient.ConnectAsync(author.Client, "company", lastEventId: 1);
        Assert.Equal("resync", (await late.WaitForAsync(e => e.Event is "resync" or "post.created")).Event);
    }
}
