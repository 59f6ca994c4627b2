using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Topics;

public sealed class TopicModel(TopicStore store, TopicService topics, FeedService feeds) : ChorusPageModel
{
    public TopicDto Topic { get; private set; } = null!;
    public Page<PostDto> Posts { get; private set; } = new([], null);

    public async Task<IActionResult> OnGetAsync(string tag, string? cursor, CancellationToken ct)
    {
        if (await store.FindAsync(tag, ct) is not { } topic) return NotFound();
        var page = await feeds.TopicAsync(Viewer, topic.Id, cursor, null, ct);
        if (!page.Ok) return BadRequest();
        Topic = await topics.DescribeAsync(topic, Viewer, ct);
        Posts = page.Value!;
        return Page();
    }

    public async Task<IActionResult> OnPostFollowAsync(string tag, bool follow, CancellationToken ct)
    {
        if (await store.FindAsync(tag, ct) is not { } topic) return NotFound();
        await topics.FollowAsync(Viewer, topic, follow, ct);
        return LocalRedirect("/topics/" + Uri.EscapeDataString(topic.TagKey));
    }
}
