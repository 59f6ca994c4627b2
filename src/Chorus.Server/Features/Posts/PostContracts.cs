using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;

namespace Chorus.Server.Features.Posts;

/// <param name="GroupId">The group to post in; omitted or the all-company group's id for the all-company stream. Replies take their thread's group.</param>
public sealed record CreatePostRequest(string? Text, string? ReplyTo = null, string? GroupId = null);
public sealed record EditPostRequest(string? Text);
public sealed record SharePostRequest(string? Comment = null);

public sealed record PostDto(
    string Id, PersonSummary Author, string Text, string Html, DateTime CreatedAt, DateTime? EditedAt,
    string? ReplyTo, string RootId, PostDto? SharedPost, int ReplyCount, int ShareCount,
    IReadOnlyDictionary<string, int> Reactions, IReadOnlyList<string> MyReactions, IReadOnlyList<string> Topics,
    IReadOnlyList<string> Mentions, string Url, bool CanEdit,
    string Kind = PostKinds.Post, GroupRef? Group = null, object? Details = null)
{
    /// <summary>The text and HTML already escaped for JSON (made once per cached post), for <see cref="PostJson"/>;
    /// each applies only while its <see cref="EncodedString.Source"/> is the very string the DTO holds.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal EncodedString? TextJson { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    internal EncodedString? HtmlJson { get; init; }
}

/// <summary>A string and its JSON-escaped UTF-8 form.</summary>
internal sealed class EncodedString
{
    EncodedString(string source, System.Text.Json.JsonEncodedText value) { Source = source; Value = value; }

    public string Source { get; }
    public System.Text.Json.JsonEncodedText Value { get; }

    /// <summary>Null for text that is not valid UTF-16 (a lone surrogate), which JsonEncodedText refuses and the
    /// serializer writes as U+FFFD: such text is then written the ordinary way.</summary>
    public static EncodedString? Of(string source)
    {
        try { return new EncodedString(source, System.Text.Json.JsonEncodedText.Encode(source, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)); }
        catch (ArgumentException) { return null; }
    }
}

/// <summary>The group a post lives in, as shown on the post; absent for the all-company stream.</summary>
public sealed record GroupRef(string Id, string Name, string Kind, string Url);

/// <summary>What a post is. Kinds other than <see cref="Post"/> carry their own details (see <see cref="IPostDetails"/>).</summary>
public static class PostKinds
{
    public const string Post = "post";
    public const string Announcement = "announcement";
    public const string Question = "question";
    public const string Poll = "poll";
    public const string Praise = "praise";
    public const string Event = "event";
    public const string Article = "article";
}

/// <summary>
/// Renders the kind-specific part of posts (a poll's options, a question's best answer, an event's time and RSVPs)
/// into <see cref="PostDto.Details"/>: one batch per page of posts, for one viewer.
/// </summary>
public interface IPostDetails
{
    string Kind { get; }
    Task<IReadOnlyDictionary<long, object>> RenderAsync(IReadOnlyList<Post> posts, Viewer viewer, CancellationToken ct);
}

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
