using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chorus.NodeTests;

/// <summary>
/// Each node keeps posts, feeds, follow counts and signed-in credentials in memory (docs/adr/008-read-model.md). A change made through
/// one node must reach what the other node serves from memory: its cache is forgotten when its dispatcher reads the
/// change's event. The waits bound functional outcomes only (typically milliseconds); nothing asserts on timing.
/// </summary>
public sealed class ReadCacheNodeTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    static async Task<JsonElement?> FindInHomeAsync(HttpClient reader, string postId)
    {
        var response = await reader.GetAsync("/api/v1/timelines/home?limit=50");
        response.EnsureSuccessStatusCode();
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        foreach (var item in page.GetProperty("items").EnumerateArray())
            if (item.GetProperty("id").GetString() == postId) return item.Clone();
        return null;
    }

    static async Task EventuallyAsync(Func<Task<bool>> condition, string what, Cluster cluster)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"Node B never showed: {what}\n{cluster.Logs}");
    }

    [Fact]
    public async Task Changes_made_through_one_node_reach_what_the_other_node_serves_from_memory()
    {
        await using var cluster = await Cluster.StartAsync();
        var (authorHandle, authorToken) = await cluster.CreateMemberAsync();
        var (_, readerToken) = await cluster.CreateMemberAsync();
        using var authorOnA = Cluster.Client(cluster.A, authorToken);
        using var readerOnA = Cluster.Client(cluster.A, readerToken);
        using var readerOnB = Cluster.Client(cluster.B, readerToken);

        // Warm node B: the reader's follows (none yet), the author's posts, the reader's credential.
        var first = await Cluster.PostAsync(authorOnA, "before the follow");
        Assert.Null(await FindInHomeAsync(readerOnB, first));

        async Task<int> FollowersOnB() => JsonDocument.Parse(await readerOnB.GetStringAsync($"/api/v1/people/{authorHandle}"))
            .RootElement.GetProperty("person").GetProperty("followers").GetInt32();
        Assert.Equal(0, await FollowersOnB());

        // A follow made through A shows on B's home feed, and in the author's follower count B keeps in memory.
        (await readerOnA.PostAsync($"/api/v1/people/{authorHandle}/follow", null)).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => await FindInHomeAsync(readerOnB, first) is not null, "the followed author's post", cluster);
        await EventuallyAsync(async () => await FollowersOnB() == 1, "the author's new follower count", cluster);

        // A new post, a reaction, a profile change and a deletion made through A.
        var second = await Cluster.PostAsync(authorOnA, "after the follow");
        await EventuallyAsync(async () => await FindInHomeAsync(readerOnB, second) is not null, "the new post", cluster);
        (await readerOnA.PostAsync($"/api/v1/posts/{second}/reactions/like", null)).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => await FindInHomeAsync(readerOnB, second) is { } p &&
            p.GetProperty("reactions").TryGetProperty("like", out var n) && n.GetInt32() == 1 &&
            p.GetProperty("myReactions").EnumerateArray().Any(r => r.GetString() == "like"), "the reaction", cluster);
        (await authorOnA.PatchAsJsonAsync("/api/v1/me", new { displayName = "Renamed Author" })).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => await FindInHomeAsync(readerOnB, second) is { } p &&
            p.GetProperty("author").GetProperty("displayName").GetString() == "Renamed Author", "the author's new name", cluster);
        (await authorOnA.DeleteAsync($"/api/v1/posts/{second}")).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => await FindInHomeAsync(readerOnB, second) is null, "the deletion", cluster);

        // Revoking the reader's token through A stops it on B.
        var tokens = JsonDocument.Parse(await readerOnA.GetStringAsync("/api/v1/me/tokens")).RootElement;
        var tokenId = tokens.EnumerateArray().First().GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await readerOnB.GetAsync("/api/v1/timelines/home")).StatusCode);
        (await readerOnA.DeleteAsync($"/api/v1/me/tokens/{tokenId}")).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => (await readerOnB.GetAsync("/api/v1/timelines/home")).StatusCode == HttpStatusCode.Unauthorized,
            "the revoked token refused", cluster);
    }
}
