using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Feeds;

namespace Chorus.Tests.Feeds;

/// <summary>The side column's trending list is computed at most once per <see cref="TrendingTopics.Lifetime"/> and
/// shared; a stale list is shown while one request refreshes it; guests see none.</summary>
public sealed class TrendingTopicsCacheTests
{
    static readonly Viewer Member = new(1, "ada", "Ada", PersonRole.Member, CredentialKind.Session, 1, true);
    static readonly Viewer Other = new(2, "ben", "Ben", PersonRole.Member, CredentialKind.Session, 2, true);
    static readonly Viewer Guest = new(3, "gus", "Gus", PersonRole.Guest, CredentialKind.Session, 3, true);

    sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    static IReadOnlyList<(string Tag, string Key, int Posts)> List(string tag) => [(tag, tag.ToLowerInvariant(), 3)];

    [Fact]
    public async Task One_computation_serves_every_member_until_it_is_a_minute_old()
    {
        var clock = new Clock();
        var cache = new TrendingTopics(clock);
        var computed = 0;
        Task<IReadOnlyList<(string, string, int)>> Compute(CancellationToken _) => Task.FromResult(List($"Topic{++computed}"));

        Assert.Equal("Topic1", (await cache.GetAsync(Member, Compute, default)).Single().Tag);
        clock.Now += TrendingTopics.Lifetime - TimeSpan.FromSeconds(1);
        Assert.Equal("Topic1", (await cache.GetAsync(Other, Compute, default)).Single().Tag);
        Assert.Equal(1, computed);

        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal("Topic2", (await cache.GetAsync(Other, Compute, default)).Single().Tag);
        Assert.Equal(2, computed);
    }

    [Fact]
    public async Task Guests_see_no_trends_and_compute_nothing()
    {
        var cache = new TrendingTopics(new Clock());
        var computed = 0;
        Assert.Empty(await cache.GetAsync(Guest, _ => { computed++; return Task.FromResult(List("Open")); }, default));
        Assert.Equal(0, computed);
    }

    [Fact]
    public async Task While_one_request_refreshes_others_get_the_stale_list_at_once()
    {
        var clock = new Clock();
        var cache = new TrendingTopics(clock);
        await cache.GetAsync(Member, _ => Task.FromResult(List("Old")), default);
        clock.Now += TrendingTopics.Lifetime;

        var release = new TaskCompletionSource<IReadOnlyList<(string, string, int)>>();
        var refreshing = cache.GetAsync(Member, _ => release.Task, default);
        Assert.False(refreshing.IsCompleted);
        var other = await cache.GetAsync(Other, _ => throw new InvalidOperationException("a second refresh"), default);
        Assert.Equal("Old", other.Single().Tag);

        release.SetResult(List("New"));
        Assert.Equal("New", (await refreshing).Single().Tag);
        Assert.Equal("New", (await cache.GetAsync(Other, _ => throw new InvalidOperationException("fresh"), default)).Single().Tag);
    }

    [Fact]
    public async Task A_failed_refresh_lets_the_next_request_try_again()
    {
        var cache = new TrendingTopics(new Clock());
        await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync(Member, _ => throw new TimeoutException(), default));
        Assert.Equal("Again", (await cache.GetAsync(Member, _ => Task.FromResult(List("Again")), default)).Single().Tag);
    }
}
