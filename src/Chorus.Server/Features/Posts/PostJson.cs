using System.Text.Json;
using System.Text.Json.Serialization;
using Chorus.Server.Features.People;

namespace Chorus.Server.Features.Posts;

/// <summary>
/// Writes <see cref="PostDto"/> by hand, property by property, the same JSON as the API's serializer writes
/// (camelCase, nulls written, same order; a test compares the two). Feed pages are mostly posts, and serializing them
/// through System.Text.Json's metadata was half of a warm home-feed request (bench/findings.md, W2); the code it can
/// generate does not cover PostDto (its <see cref="PostDto.Details"/> is an object). Write-only: used by
/// <see cref="Infrastructure.OkJson{T}"/>, never registered in the API's options, so the OpenAPI document still
/// describes PostDto from its properties.
/// </summary>
public sealed class PostJson : JsonConverter<PostDto>
{
    static readonly JsonEncodedText Id = JsonEncodedText.Encode("id"), Author = JsonEncodedText.Encode("author"), Text = JsonEncodedText.Encode("text"),
        Html = JsonEncodedText.Encode("html"), CreatedAt = JsonEncodedText.Encode("createdAt"), EditedAt = JsonEncodedText.Encode("editedAt"),
        ReplyTo = JsonEncodedText.Encode("replyTo"), RootId = JsonEncodedText.Encode("rootId"), SharedPost = JsonEncodedText.Encode("sharedPost"),
        ReplyCount = JsonEncodedText.Encode("replyCount"), ShareCount = JsonEncodedText.Encode("shareCount"), Reactions = JsonEncodedText.Encode("reactions"),
        MyReactions = JsonEncodedText.Encode("myReactions"), Topics = JsonEncodedText.Encode("topics"), Mentions = JsonEncodedText.Encode("mentions"),
        Url = JsonEncodedText.Encode("url"), CanEdit = JsonEncodedText.Encode("canEdit"), Kind = JsonEncodedText.Encode("kind"),
        Group = JsonEncodedText.Encode("group"), Details = JsonEncodedText.Encode("details"), Handle = JsonEncodedText.Encode("handle"),
        DisplayName = JsonEncodedText.Encode("displayName"), JobTitle = JsonEncodedText.Encode("jobTitle"), Department = JsonEncodedText.Encode("department"),
        AvatarUrl = JsonEncodedText.Encode("avatarUrl"), Active = JsonEncodedText.Encode("active"), Name = JsonEncodedText.Encode("name");

    public override PostDto Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("PostJson only writes.");

    public override void Write(Utf8JsonWriter w, PostDto p, JsonSerializerOptions options)
    {
        w.WriteStartObject();
        w.WriteString(Id, p.Id);
        w.WritePropertyName(Author);
        WritePerson(w, p.Author);
        if (p.TextJson is { } text && ReferenceEquals(text.Source, p.Text) && Relaxed(options)) w.WriteString(Text, text.Value); else w.WriteString(Text, p.Text);
        if (p.HtmlJson is { } html && ReferenceEquals(html.Source, p.Html) && Relaxed(options)) w.WriteString(Html, html.Value); else w.WriteString(Html, p.Html);
        w.WriteString(CreatedAt, p.CreatedAt);
        if (p.EditedAt is { } edited) w.WriteString(EditedAt, edited); else w.WriteNull(EditedAt);
        w.WriteString(ReplyTo, p.ReplyTo);
        w.WriteString(RootId, p.RootId);
        w.WritePropertyName(SharedPost);
        if (p.SharedPost is { } shared) Write(w, shared, options); else w.WriteNullValue();
        w.WriteNumber(ReplyCount, p.ReplyCount);
        w.WriteNumber(ShareCount, p.ShareCount);
        w.WriteStartObject(Reactions);
        if (p.Reactions is Dictionary<string, int> counts) foreach (var (kind, n) in counts) w.WriteNumber(kind, n); // no boxed enumerator
        else foreach (var (kind, n) in p.Reactions) w.WriteNumber(kind, n);
        w.WriteEndObject();
        WriteStrings(w, MyReactions, p.MyReactions);
        WriteStrings(w, Topics, p.Topics);
        WriteStrings(w, Mentions, p.Mentions);
        w.WriteString(Url, p.Url);
        w.WriteBoolean(CanEdit, p.CanEdit);
        w.WriteString(Kind, p.Kind);
        w.WritePropertyName(Group);
        if (p.Group is { } g)
        {
            w.WriteStartObject();
            w.WriteString(Id, g.Id);
            w.WriteString(Name, g.Name);
            w.WriteString(Kind, g.Kind);
            w.WriteString(Url, g.Url);
            w.WriteEndObject();
        }
        else w.WriteNullValue();
        w.WritePropertyName(Details);
        if (p.Details is { } details) JsonSerializer.Serialize(w, details, details.GetType(), options);
        else w.WriteNullValue();
        w.WriteEndObject();
    }

    /// <summary>The pre-escaped strings were escaped with the API's encoder; other options escape themselves.</summary>
    static bool Relaxed(JsonSerializerOptions options) => ReferenceEquals(options.Encoder, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    static void WritePerson(Utf8JsonWriter w, PersonSummary a)
    {
        w.WriteStartObject();
        w.WriteString(Id, a.Id);
        w.WriteString(Handle, a.Handle);
        w.WriteString(DisplayName, a.DisplayName);
        w.WriteString(JobTitle, a.JobTitle);
        w.WriteString(Department, a.Department);
        w.WriteString(AvatarUrl, a.AvatarUrl);
        w.WriteBoolean(Active, a.Active);
        w.WriteEndObject();
    }

    static void WriteStrings(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++) w.WriteStringValue(values[i]);
        w.WriteEndArray();
    }
}
