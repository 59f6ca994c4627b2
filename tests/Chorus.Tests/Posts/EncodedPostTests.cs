using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;

namespace Chorus.Tests.Posts;

/// <summary>
/// A cached post's pre-written JSON (<see cref="EncodedPost"/>) is made in a buffer each thread reuses: whatever the
/// post before it was (long or short), and whatever other threads encode meanwhile, a post's runs hold exactly its own
/// text and HTML. A cached post keeps its id, URL and (a thread's first post) root id only there, and gives them back.
/// </summary>
public sealed class EncodedPostTests
{
    static PostDto Post(string id, string text, string html, string? replyTo = null, string? rootId = null, string? url = null) =>
        new(id, new PersonSummary("p1", "ada", "Ada", null, null, null, true), text, html, new DateTime(2026, 12, 5, 7, 0, 0, DateTimeKind.Utc), null,
            replyTo, rootId ?? id, null, 0, 0, new Dictionary<string, int>(), [], ["ops"], [], url ?? "/posts/" + id, false);

    static void AssertRoundTrip(PostDto post)
    {
        var encoded = post.WithEncoded();
        Assert.True(encoded.StringsAreEncoded);
        Assert.Equal(post.Text, encoded.Text);
        Assert.Equal(post.Html, encoded.Html);
        Assert.Equal("\"" + post.Id + "\"", System.Text.Encoding.UTF8.GetString(encoded.Encoded!.Id));
        Assert.Equal("[\"ops\"],\"mentions\":[],\"url\":\"/posts/" + post.Id + "\"", System.Text.Encoding.UTF8.GetString(encoded.Encoded.Labels));
        // The five runs share one array: each ends where the next begins.
        Assert.Equal("0,\"shareCount\":0,\"reactions\":{}", System.Text.Encoding.UTF8.GetString(encoded.Encoded.Counts));
        Assert.Equal("\"post\"", System.Text.Encoding.UTF8.GetString(encoded.Encoded.Kind));
        var body = System.Text.Encoding.UTF8.GetString(encoded.Encoded.Body);
        Assert.StartsWith(System.Text.Json.JsonSerializer.Serialize(post.Text, Options) + ",\"html\":", body);
        Assert.EndsWith(",\"rootId\":\"" + post.Id + "\"", body);
        // Allocated in the oldest generation (the pinned object heap), where the collections that promote new posts'
        // views do not copy it.
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(encoded.Encoded.Storage));
    }

    static readonly System.Text.Json.JsonSerializerOptions Options = new() { Encoder = EncodedPost.Encoder };

    [Fact]
    public void Posts_encoded_one_after_another_on_one_thread_keep_only_their_own_text()
    {
        AssertRoundTrip(Post("a1", "short #ops", "<p>short <a href=\"/topics/ops\">#ops</a></p>"));
        // Worst-case escaping of this asks the writer for more than the 64 KB a thread keeps: the buffer is let go after.
        var longText = string.Concat(Enumerable.Repeat("\"quoted\" \u0001\u0001\u0001 ", 2_000));
        AssertRoundTrip(Post("a2", longText, "<p>" + longText + "</p>"));
        AssertRoundTrip(Post("a3", "after the long one", "<p>after the long one</p>"));
    }

    [Fact]
    public void Posts_encoded_on_many_threads_at_once_each_keep_their_own_text()
    {
        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var text = $"post {i} \"ü\" 🚀 " + new string('x', i % 700);
            AssertRoundTrip(Post("c" + i, text, "<p>" + text + "</p>"));
        });
    }

    [Fact]
    public void A_cached_post_keeps_its_id_root_and_url_only_in_its_json_and_gives_them_back()
    {
        var root = Post("501", "first", "<p>first</p>");
        var kept = root.WithEncoded();
        Assert.True(kept.StringsAreEncoded);
        Assert.Null(kept.HeldRootId);
        Assert.Equal(("501", "501", "/posts/501", (string?)null), (kept.Id, kept.RootId, kept.Url, kept.ReplyTo));

        // A reply keeps its own root (not its id) and its parent.
        var reply = Post("502", "second", "<p>second</p>", replyTo: "501", rootId: "501").WithEncoded();
        Assert.True(reply.StringsAreEncoded);
        Assert.Equal(("502", "501", "/posts/502", (string?)"501"), (reply.Id, reply.RootId, reply.Url, reply.ReplyTo));
        Assert.Equal("\"501\"", System.Text.Encoding.UTF8.GetString(reply.Encoded!.Body)[^5..]);
        Assert.True(reply.Encoded.Matches(reply with { MyReactions = ["like"] }));
        Assert.False(reply.Encoded.Matches(reply with { RootId = "400" }));
        Assert.False(reply.Encoded.Matches(reply with { RootId = new string("501".AsSpan()) }));

        // A reader's copy still matches its runs; a copy with another id, root or URL does not, and says its own.
        Assert.True(kept.Encoded!.Matches(kept with { MyReactions = ["like"] }));
        var moved = kept with { RootId = "400" };
        Assert.False(kept.Encoded.Matches(moved));
        Assert.Equal("400", moved.RootId);
        var renamed = kept with { Id = "777" };
        Assert.False(kept.Encoded.Matches(renamed));
        Assert.Equal(("777", "/posts/777", "777"), (renamed.Id, renamed.Url, renamed.RootId));
        Assert.False(kept.Encoded.Matches(kept with { Url = "/elsewhere" }));

        // A post whose URL is not its page is not encoded (its runs could not give the URL back).
        var odd = Post("503", "third", "<p>third</p>", url: "/elsewhere/503");
        Assert.Same(odd, odd.WithEncoded());
    }
}
