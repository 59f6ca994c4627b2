namespace Chorus.Server.Features.Posts;

/// <summary>Posts as W3C Activity Streams 2.0 objects, for tools that speak that vocabulary.</summary>
public static class ActivityStreams
{
    public const string ContentType = "application/activity+json";

    public static bool IsWanted(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null &&
            (a.Contains(ContentType, StringComparison.OrdinalIgnoreCase) || a.Contains("application/ld+json", StringComparison.OrdinalIgnoreCase)));

    public static Dictionary<string, object?> Note(PostDto post, string origin)
    {
        var note = new Dictionary<string, object?>
        {
            ["@context"] = "https://www.w3.org/ns/activitystreams",
            ["id"] = origin + post.Url,
            ["type"] = post.SharedPost is null ? "Note" : "Announce",
            ["attributedTo"] = new Dictionary<string, object?>
            {
                ["type"] = "Person", ["id"] = $"{origin}/people/{Uri.EscapeDataString(post.Author.Handle)}",
                ["name"] = post.Author.DisplayName, ["preferredUsername"] = post.Author.Handle,
            },
            ["content"] = post.Html,
            ["mediaType"] = "text/html",
            ["source"] = new Dictionary<string, object?> { ["content"] = post.Text, ["mediaType"] = "text/markdown" },
            ["published"] = post.CreatedAt.ToString("O"),
            ["updated"] = post.EditedAt?.ToString("O"),
            ["url"] = origin + post.Url,
            ["inReplyTo"] = post.ReplyTo is { } r ? $"{origin}/posts/{r}" : null,
            ["context"] = $"{origin}/posts/{post.RootId}",
            ["tag"] = post.Topics.Select(t => (object)new Dictionary<string, object?>
                    { ["type"] = "Hashtag", ["name"] = "#" + t, ["href"] = $"{origin}/topics/{Uri.EscapeDataString(t.ToLowerInvariant())}" })
                .Concat(post.Mentions.Select(m => (object)new Dictionary<string, object?>
                    { ["type"] = "Mention", ["name"] = "@" + m, ["href"] = $"{origin}/people/{Uri.EscapeDataString(m)}" }))
                .ToList(),
            ["replies"] = new Dictionary<string, object?> { ["type"] = "Collection", ["totalItems"] = post.ReplyCount },
            ["likes"] = new Dictionary<string, object?> { ["type"] = "Collection", ["totalItems"] = post.Reactions.GetValueOrDefault("like") },
            ["shares"] = new Dictionary<string, object?> { ["type"] = "Collection", ["totalItems"] = post.ShareCount },
        };
        if (post.SharedPost is { } shared) note["object"] = Note(shared, origin);
        return note;
    }
}
