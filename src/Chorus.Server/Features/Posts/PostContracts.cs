using Chorus.Server.Features.People;

namespace Chorus.Server.Features.Posts;

public sealed record CreatePostRequest(string? Text, string? ReplyTo = null);
public sealed record EditPostRequest(string? Text);
public sealed record SharePostRequest(string? Comment = null);

public sealed record PostDto(
    string Id, PersonSummary Author, string Text, string Html, DateTime CreatedAt, DateTime? EditedAt,
    string? ReplyTo, string RootId, PostDto? SharedPost, int ReplyCount, int ShareCount,
    IReadOnlyDictionary<string, int> Reactions, IReadOnlyList<string> MyReactions, IReadOnlyList<string> Topics,
    IReadOnlyList<string> Mentions, string Url, bool CanEdit);

public sealed record ThreadDto(PostDto Root, IReadOnlyList<PostDto> Replies, string? Focus);

public sealed record RevisionDto(string Text, string Html, DateTime WrittenAt, bool Current);

public sealed record ReactionState(string PostId, string Kind, bool Reacted, int Count);

/// <summary>The fixed reaction set: stable names in URLs and JSON, emoji for display.</summary>
public static class Reactions
{
    public static readonly IReadOnlyList<(string Name, string Emoji, string Label)> All =
    [
        ("like", "👍", "Like"), ("love", "❤️", "Love"), ("celebrate", "🎉", "Celebrate"),
        ("insightful", "💡", "Insightful"), ("laugh", "😂", "Funny"), ("sad", "😢", "Sad"),
    ];

    /// <summary>Accepts the name or the emoji itself; returns the name or null.</summary>
    public static string? Normalize(string? kind)
    {
        if (string.IsNullOrWhiteSpace(kind)) return null;
        var k = kind.Trim();
        foreach (var r in All)
            if (string.Equals(r.Name, k, StringComparison.OrdinalIgnoreCase) || r.Emoji == k || r.Emoji.TrimEnd('\uFE0F') == k)
                return r.Name;
        return null;
    }

    public static string Emoji(string name) => All.FirstOrDefault(r => r.Name == name).Emoji ?? name;
}
