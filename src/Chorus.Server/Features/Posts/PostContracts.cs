using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;

namespace Chorus.Server.Features.Posts;

/// <param name="GroupId">The group to post in; omitted or the all-company group's id for the all-company stream. Replies take their thread's group.</param>
public sealed record CreatePostRequest(string? Text, string? ReplyTo = null, string? GroupId = null);
public sealed record EditPostRequest(string? Text);
public sealed record SharePostRequest(string? Comment = null);

// Id, Text, Html, RootId and Url are declared in the body (below), which would move them last in the serializer's order:
// every property has its place in the order, the one the hand-written JSON (PostJson) writes.
public sealed record PostDto(
    string Id,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(2)] PersonSummary Author, string Text, string Html,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(5)] DateTime CreatedAt,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(6)] DateTime? EditedAt,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(7)] string? ReplyTo, string RootId,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(9)] PostDto? SharedPost,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(10)] int ReplyCount,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(11)] int ShareCount,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(12)] IReadOnlyDictionary<string, int> Reactions,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(13)] IReadOnlyList<string> MyReactions,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(14)] IReadOnlyList<string> Topics,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(15)] IReadOnlyList<string> Mentions, string Url,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(17)] bool CanEdit,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(18)] string Kind = PostKinds.Post,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(19)] GroupRef? Group = null,
    [property: System.Text.Json.Serialization.JsonPropertyOrder(20)] object? Details = null)
{
    // A cached post keeps its id, text, HTML, root id (a thread's first post is its own root) and URL once, in the UTF-8
    // of its pre-written JSON (Encoded), not also as strings: under sustained posting every new post's view lives on in
    // the cache, and each object it holds is marked and moved by the collections that promote it (the text and HTML were
    // a third of the bytes, bench/findings.md, fourteenth session; the id and URL two of nine objects, twenty-third). A
    // copy that holds none of these strings makes them when asked (the web pages, the serializer's ordinary path).
    readonly string? _id = Id;
    readonly string? _text = Text;
    readonly string? _html = Html;
    readonly string? _rootId = RootId;
    readonly string? _url = Url;

    /// <summary>The post's id. On a cached copy (<see cref="WithEncoded"/>) a thread's first post's root id and every
    /// post's URL follow from it, so a copy made <c>with</c> another id has that id's URL (and root, for a first post).</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public string Id { get => _id ?? Encoded?.DecodeId() ?? throw Detached(nameof(Id)); init => _id = value; }

    /// <summary>The Markdown source as written.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(3)]
    public string Text { get => _text ?? Encoded?.DecodeText() ?? throw Detached(nameof(Text)); init => _text = value; }

    /// <summary>Sanitized HTML rendered at write time.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(4)]
    public string Html { get => _html ?? Encoded?.DecodeHtml() ?? throw Detached(nameof(Html)); init => _html = value; }

    /// <summary>The thread's first post (this post's own id when it is one).</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(8)]
    public string RootId { get => _rootId ?? (Encoded is not null ? Id : throw Detached(nameof(RootId))); init => _rootId = value; }

    [System.Text.Json.Serialization.JsonPropertyOrder(16)]
    public string Url { get => _url ?? (Encoded is not null ? UrlOf(Id) : throw Detached(nameof(Url))); init => _url = value; }

    /// <summary>A post's page (what <see cref="WithEncoded"/> expects a cached post's URL to be).</summary>
    public static string UrlOf(string id) => "/posts/" + id;

    /// <summary>The reader-independent properties already written as JSON (made once per cached post), for
    /// <see cref="PostJson"/>; used only while the DTO still holds the very values they were made from.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal EncodedPost? Encoded { get; init; }

    /// <summary>Whether the id, text, HTML and URL are the encoded ones (this DTO holds no strings of its own for them),
    /// and the root id too when the post is its thread's first.</summary>
    internal bool StringsAreEncoded => _id is null && _text is null && _html is null && _url is null && Encoded is not null;

    /// <summary>The root id this DTO holds as a string (a reply's); null when it is the post's own id, decoded.</summary>
    internal string? HeldRootId => _rootId;

    /// <summary>This DTO with its reader-independent JSON pre-written, keeping the id, text, HTML and URL only there
    /// (and the root id, when it is the post's own); itself when the writer refuses its text (<see cref="EncodedPost.Of"/>)
    /// or the URL is not the post's page.</summary>
    internal PostDto WithEncoded()
    {
        if (Url != UrlOf(Id) || EncodedPost.Of(this) is not { } encoded) return this;
        var kept = this with { Encoded = encoded, Id = null!, Text = null!, Html = null!, Url = null!, RootId = RootId == Id ? null! : RootId };
        encoded.Source = kept;
        return kept;
    }

    static InvalidOperationException Detached(string property) => new($"A post's {property} is neither held nor encoded.");
}

/// <summary>
/// A post's reader-independent properties as the API's JSON (UTF-8, escaped with the API's relaxed encoder), in the
/// runs that lie between the per-reader ones: each run is the value of its first property followed by the properties
/// after it up to the next per-reader one, so <see cref="PostJson"/> writes it after the first name as one raw value.
/// Made with a <see cref="System.Text.Json.Utf8JsonWriter"/>, so the bytes are what the serializer writes.
/// </summary>
internal sealed class EncodedPost
{
    public static readonly System.Text.Encodings.Web.JavaScriptEncoder Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The DTO that keeps these runs (<see cref="PostDto.WithEncoded"/>): a DTO holding other values than
    /// its are written the ordinary way.</summary>
    internal PostDto? Source { private get; set; }
    /// <summary>
    /// The five runs one after another in one array, each ending where the next begins: a cached post is in memory for
    /// long, and every object it holds is marked and moved by the collections that promote it, so one array instead of
    /// five shortened the GC's pauses under posting (W1, bench/findings.md, twentieth session).
    /// </summary>
    readonly byte[] _runs;
    readonly int _idEnd, _bodyEnd, _countsEnd, _labelsEnd;

    /// <summary>The array that holds the runs (for tests: where it was allocated).</summary>
    internal object Storage => _runs;

    EncodedPost(byte[] runs, int idEnd, int bodyEnd, int countsEnd, int labelsEnd, int htmlStart)
    {
        _runs = runs;
        (_idEnd, _bodyEnd, _countsEnd, _labelsEnd, _htmlStart) = (idEnd, bodyEnd, countsEnd, labelsEnd, htmlStart);
    }

    /// <summary>"id"'s value.</summary>
    public ReadOnlySpan<byte> Id => _runs.AsSpan(0, _idEnd);
    /// <summary>"text"'s value through "rootId".</summary>
    public ReadOnlySpan<byte> Body => _runs.AsSpan(_idEnd, _bodyEnd - _idEnd);
    /// <summary>"replyCount"'s value through "reactions".</summary>
    public ReadOnlySpan<byte> Counts => _runs.AsSpan(_bodyEnd, _countsEnd - _bodyEnd);
    /// <summary>"topics"'s value through "url".</summary>
    public ReadOnlySpan<byte> Labels => _runs.AsSpan(_countsEnd, _labelsEnd - _countsEnd);
    /// <summary>"kind"'s value.</summary>
    public ReadOnlySpan<byte> Kind => _runs.AsSpan(_labelsEnd);

    /// <summary>Where "html"'s value begins in <see cref="Body"/> ("text"'s begins it).</summary>
    readonly int _htmlStart;

    public string DecodeId() => Decode(Id);
    public string DecodeText() => Decode(Body);
    public string DecodeHtml() => Decode(Body[_htmlStart..]);

    /// <summary>The JSON string that <paramref name="json"/> begins with (the reader stops at its end).</summary>
    static string Decode(ReadOnlySpan<byte> json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        reader.Read();
        return reader.GetString()!;
    }

    public bool Matches(PostDto p)
    {
        var s = Source;
        return s is not null && p.StringsAreEncoded && Same(p.CreatedAt, s.CreatedAt) &&
               (p.EditedAt is { } e ? s.EditedAt is { } f && Same(e, f) : s.EditedAt is null) &&
               ReferenceEquals(p.ReplyTo, s.ReplyTo) && ReferenceEquals(p.HeldRootId, s.HeldRootId) &&
               p.ReplyCount == s.ReplyCount && p.ShareCount == s.ShareCount && ReferenceEquals(p.Reactions, s.Reactions) &&
               ReferenceEquals(p.Topics, s.Topics) && ReferenceEquals(p.Mentions, s.Mentions) &&
               ReferenceEquals(p.Kind, s.Kind);
    }

    /// <summary>A writer of pre-written JSON: the API's encoder, no indentation.</summary>
    public static System.Text.Json.Utf8JsonWriter Writer(System.Buffers.IBufferWriter<byte> buffer) =>
        new(buffer, new System.Text.Json.JsonWriterOptions { Encoder = Encoder, SkipValidation = true });

    /// <summary>Same instant and same kind: the JSON of a UTC time ends in Z, of a local one in its offset.</summary>
    static bool Same(DateTime a, DateTime b) => a == b && a.Kind == b.Kind;

    /// <summary>Null for text the writer refuses (it is then written, or refused, the ordinary way).</summary>
    public static EncodedPost? Of(PostDto p)
    {
        try { return Encode(p); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>
    /// One buffer and writer per thread for <see cref="Encode"/>, which never awaits. A new buffer per post sized to the
    /// text grew twice while it was written (the writer asks for room for the worst-case escaping, at least 4 KB): the
    /// largest allocator in a profile of posting, and reusing them cut what a post allocates by 7% (W1,
    /// bench/findings.md). Only the runs are copied out.
    /// </summary>
    [ThreadStatic] static System.Buffers.ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] static System.Text.Json.Utf8JsonWriter? _writer;

    /// <summary>A thread's buffer that grew past this for a long post is let go after it.</summary>
    const int KeptBufferBytes = 64 * 1024;

    static EncodedPost Encode(PostDto p)
    {
        var buffer = _buffer ?? new System.Buffers.ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        var w = _writer ??= Writer(buffer);
        // A writer left mid-object by text it refused starts clean.
        w.Reset(buffer);
        try { return Encode(p, w, buffer); }
        finally { _buffer = buffer.Capacity <= KeptBufferBytes ? buffer : null; }
    }

    static EncodedPost Encode(PostDto p, System.Text.Json.Utf8JsonWriter w, System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        w.WriteStartObject();
        var id = Run(w, buffer, PostJson.Names.Id, () => w.WriteStringValue(p.Id));
        var htmlStart = 0;
        var body = Run(w, buffer, PostJson.Names.Text, () =>
        {
            var bodyStart = buffer.WrittenCount;
            w.WriteStringValue(p.Text);
            w.WritePropertyName(PostJson.Names.Html);
            w.Flush();
            htmlStart = buffer.WrittenCount - bodyStart;
            w.WriteStringValue(p.Html);
            w.WriteString(PostJson.Names.CreatedAt, p.CreatedAt);
            if (p.EditedAt is { } edited) w.WriteString(PostJson.Names.EditedAt, edited); else w.WriteNull(PostJson.Names.EditedAt);
            w.WriteString(PostJson.Names.ReplyTo, p.ReplyTo);
            w.WriteString(PostJson.Names.RootId, p.RootId);
        });
        var counts = Run(w, buffer, PostJson.Names.ReplyCount, () =>
        {
            w.WriteNumberValue(p.ReplyCount);
            w.WriteNumber(PostJson.Names.ShareCount, p.ShareCount);
            PostJson.WriteReactions(w, p.Reactions);
        });
        var labels = Run(w, buffer, PostJson.Names.Topics, () =>
        {
            PostJson.WriteStringValues(w, p.Topics);
            PostJson.WriteStrings(w, PostJson.Names.Mentions, p.Mentions);
            w.WriteString(PostJson.Names.Url, p.Url);
        });
        var kind = Run(w, buffer, PostJson.Names.Kind, () => w.WriteStringValue(p.Kind));
        var written = buffer.WrittenSpan;
        // On the pinned object heap: it belongs to the oldest generation from the start, so the gen0 and gen1 collections
        // that promote each new post's cached view neither mark nor copy its largest part (bench/findings.md, twenty-fourth
        // session). What the read cache lets go is freed by the next gen2 collection (a background one, mostly concurrent).
        var length = written[id].Length + written[body].Length + written[counts].Length + written[labels].Length + written[kind].Length;
        var bytes = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        var idEnd = Append(written[id], bytes, 0);
        var bodyEnd = Append(written[body], bytes, idEnd);
        var countsEnd = Append(written[counts], bytes, bodyEnd);
        var labelsEnd = Append(written[labels], bytes, countsEnd);
        Append(written[kind], bytes, labelsEnd);
        return new EncodedPost(bytes, idEnd, bodyEnd, countsEnd, labelsEnd, htmlStart);
    }

    /// <summary>Copies <paramref name="run"/> into <paramref name="bytes"/> at <paramref name="at"/>; returns where it ends.</summary>
    static int Append(ReadOnlySpan<byte> run, byte[] bytes, int at)
    {
        run.CopyTo(bytes.AsSpan(at));
        return at + run.Length;
    }

    /// <summary>Where in the buffer the bytes <paramref name="write"/> adds after the property name <paramref name="first"/> lie.</summary>
    static Range Run(System.Text.Json.Utf8JsonWriter w, System.Buffers.ArrayBufferWriter<byte> buffer, System.Text.Json.JsonEncodedText first, Action write)
    {
        w.WritePropertyName(first);
        w.Flush();
        var from = buffer.WrittenCount;
        write();
        w.Flush();
        return from..buffer.WrittenCount;
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
