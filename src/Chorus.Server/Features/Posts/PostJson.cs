using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chorus.Server.Features.People;

namespace Chorus.Server.Features.Posts;

/// <summary>
/// Writes <see cref="PostDto"/> by hand, property by property, the same JSON as the API's serializer writes
/// (camelCase, nulls written, same order; a test compares the two). Feed pages are mostly posts, and serializing them
/// through System.Text.Json's metadata was half of a warm home-feed request (bench/findings.md, W2); the code it can
/// generate does not cover PostDto (its <see cref="PostDto.Details"/> is an object). The reader-independent parts come
/// pre-written from the cached post (<see cref="EncodedPost"/>), the authors' cards from a table of their own. Write-only: used by
/// <see cref="Infrastructure.OkJson{T}"/>, never registered in the API's options, so the OpenAPI document still
/// describes PostDto from its properties.
/// </summary>
public sealed class PostJson : JsonConverter<PostDto>
{
    /// <summary>The property names, encoded once (also for <see cref="EncodedPost"/>).</summary>
    internal static class Names
    {
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id"), Author = JsonEncodedText.Encode("author"), Text = JsonEncodedText.Encode("text"),
            Html = JsonEncodedText.Encode("html"), CreatedAt = JsonEncodedText.Encode("createdAt"), EditedAt = JsonEncodedText.Encode("editedAt"),
            ReplyTo = JsonEncodedText.Encode("replyTo"), RootId = JsonEncodedText.Encode("rootId"), SharedPost = JsonEncodedText.Encode("sharedPost"),
            ReplyCount = JsonEncodedText.Encode("replyCount"), ShareCount = JsonEncodedText.Encode("shareCount"), Reactions = JsonEncodedText.Encode("reactions"),
            MyReactions = JsonEncodedText.Encode("myReactions"), Topics = JsonEncodedText.Encode("topics"), Mentions = JsonEncodedText.Encode("mentions"),
            Url = JsonEncodedText.Encode("url"), CanEdit = JsonEncodedText.Encode("canEdit"), Kind = JsonEncodedText.Encode("kind"),
            Group = JsonEncodedText.Encode("group"), Details = JsonEncodedText.Encode("details"), Handle = JsonEncodedText.Encode("handle"),
            DisplayName = JsonEncodedText.Encode("displayName"), JobTitle = JsonEncodedText.Encode("jobTitle"), Department = JsonEncodedText.Encode("department"),
            AvatarUrl = JsonEncodedText.Encode("avatarUrl"), Active = JsonEncodedText.Encode("active"), Name = JsonEncodedText.Encode("name");
    }

    static readonly PostJson Instance = new();

    public override PostDto Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("PostJson only writes.");

    public override void Write(Utf8JsonWriter w, PostDto p, JsonSerializerOptions options)
    {
        // The runs made once per cached post are written as they are, when this writer would write the same bytes: the
        // API's encoder, no indentation, and the DTO still holding the values they were made from.
        var prewritten = Raw(w);
        var raw = prewritten && p.Encoded is { } e && e.Matches(p) ? e : null;
        w.WriteStartObject();
        if (raw is not null) WriteRun(w, Names.Id, raw.Id);
        else w.WriteString(Names.Id, p.Id);
        w.WritePropertyName(Names.Author);
        WritePerson(w, p.Author, prewritten);
        if (raw is not null) WriteRun(w, Names.Text, raw.Body);
        else
        {
            w.WriteString(Names.Text, p.Text);
            w.WriteString(Names.Html, p.Html);
            w.WriteString(Names.CreatedAt, p.CreatedAt);
            if (p.EditedAt is { } edited) w.WriteString(Names.EditedAt, edited); else w.WriteNull(Names.EditedAt);
            w.WriteString(Names.ReplyTo, p.ReplyTo);
            w.WriteString(Names.RootId, p.RootId);
        }
        w.WritePropertyName(Names.SharedPost);
        if (p.SharedPost is { } shared) Write(w, shared, options); else w.WriteNullValue();
        if (raw is not null) WriteRun(w, Names.ReplyCount, raw.Counts);
        else
        {
            w.WriteNumber(Names.ReplyCount, p.ReplyCount);
            w.WriteNumber(Names.ShareCount, p.ShareCount);
            WriteReactions(w, p.Reactions);
        }
        WriteStrings(w, Names.MyReactions, p.MyReactions);
        if (raw is not null) WriteRun(w, Names.Topics, raw.Labels);
        else
        {
            WriteStrings(w, Names.Topics, p.Topics);
            WriteStrings(w, Names.Mentions, p.Mentions);
            w.WriteString(Names.Url, p.Url);
        }
        w.WriteBoolean(Names.CanEdit, p.CanEdit);
        if (raw is not null) WriteRun(w, Names.Kind, raw.Kind);
        else w.WriteString(Names.Kind, p.Kind);
        w.WritePropertyName(Names.Group);
        if (p.Group is { } g) WriteGroup(w, g);
        else w.WriteNullValue();
        w.WritePropertyName(Names.Details);
        if (p.Details is { } details) JsonSerializer.Serialize(w, details, details.GetType(), options);
        else w.WriteNullValue();
        w.WriteEndObject();
    }

    /// <summary>Whether <see cref="WritePage"/> writes what the serializer would with these options: the API's encoder
    /// (the one the pre-written runs were escaped with), no indentation, camelCase names, nulls written.</summary>
    internal static bool WritesPagesFor(JsonSerializerOptions options) =>
        ReferenceEquals(options.Encoder, EncodedPost.Encoder) && !options.WriteIndented && options.PropertyNamingPolicy == JsonNamingPolicy.CamelCase &&
        options.DefaultIgnoreCondition == JsonIgnoreCondition.Never;

    /// <summary>
    /// A page of posts straight into <paramref name="output"/>, the same bytes as the serializer with <see cref="WritesPagesFor"/>
    /// options (a test compares them): a post whose DTO still matches its pre-written runs is written as those runs, its
    /// author's and group's cached cards and a few constants, with a JSON writer only for what the reader adds (their
    /// reactions, a shared original, a kind's details). Through the serializer and a writer per property, the twenty posts
    /// of a feed page were 12% of a warm read's CPU (bench/findings.md, twenty-second session).
    /// </summary>
    internal static void WritePage(IBufferWriter<byte> output, Page<PostDto> page, JsonSerializerOptions options)
    {
        using var w = EncodedPost.Writer(output);
        output.Write("{\"items\":["u8);
        for (var i = 0; i < page.Items.Count; i++)
        {
            if (i > 0) output.Write(","u8);
            WriteItem(output, w, page.Items[i], options);
        }
        output.Write("],\"nextCursor\":"u8);
        w.Reset(output);
        if (page.NextCursor is { } cursor) w.WriteStringValue(cursor); else w.WriteNullValue();
        w.Flush();
        output.Write("}"u8);
    }

    static void WriteItem(IBufferWriter<byte> output, Utf8JsonWriter w, PostDto p, JsonSerializerOptions options)
    {
        if (p.Encoded is not { } e || !e.Matches(p))
        {
            w.Reset(output);
            Instance.Write(w, p, options);
            w.Flush();
            return;
        }
        output.Write("{\"id\":"u8);
        output.Write(e.Id);
        output.Write(",\"author\":"u8);
        output.Write(CardOf(p.Author));
        output.Write(",\"text\":"u8);
        output.Write(e.Body);
        output.Write(",\"sharedPost\":"u8);
        if (p.SharedPost is { } shared) WriteItem(output, w, shared, options);
        else output.Write("null"u8);
        output.Write(",\"replyCount\":"u8);
        output.Write(e.Counts);
        output.Write(",\"myReactions\":"u8);
        if (p.MyReactions.Count == 0) output.Write("[]"u8);
        else
        {
            w.Reset(output);
            WriteStringValues(w, p.MyReactions);
            w.Flush();
        }
        output.Write(",\"topics\":"u8);
        output.Write(e.Labels);
        output.Write(p.CanEdit ? ",\"canEdit\":true,\"kind\":"u8 : ",\"canEdit\":false,\"kind\":"u8);
        output.Write(e.Kind);
        output.Write(",\"group\":"u8);
        if (p.Group is { } g) output.Write(GroupCardOf(g));
        else output.Write("null"u8);
        output.Write(",\"details\":"u8);
        if (p.Details is { } details)
        {
            w.Reset(output);
            JsonSerializer.Serialize(w, details, details.GetType(), options);
            w.Flush();
        }
        else output.Write("null"u8);
        output.Write("}"u8);
    }

    /// <summary>A run written after its first property's name: the value and the properties that follow it.</summary>
    static void WriteRun(Utf8JsonWriter w, JsonEncodedText name, ReadOnlySpan<byte> run)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(run, skipInputValidation: true);
    }

    /// <summary>Raw runs were escaped with the API's encoder and carry no indentation: other writers write everything
    /// themselves. The writer's own options decide (a serializer's writer takes the encoder of its options).</summary>
    static bool Raw(Utf8JsonWriter w) => ReferenceEquals(w.Options.Encoder, EncodedPost.Encoder) && !w.Options.Indented;

    /// <summary>
    /// Authors' name cards as JSON, once per card: the cards come from the node's memory (PersonCards), so a page's twenty
    /// posts by a handful of people write a handful of cards. Keyed by the record instance (a changed card is a new
    /// instance), held only as long as the card is.
    /// </summary>
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PersonSummary, byte[]> Cards = [];

    static void WritePerson(Utf8JsonWriter w, PersonSummary a, bool raw)
    {
        if (raw) w.WriteRawValue(CardOf(a), skipInputValidation: true);
        else WritePersonObject(w, a);
    }

    static byte[] CardOf(PersonSummary a) => Cards.GetValue(a, static a => Encoded(w => WritePersonObject(w, a)));

    /// <summary>Groups' cards as JSON, once per card, like the authors' (<see cref="Cards"/>).</summary>
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<GroupRef, byte[]> GroupsJson = [];

    /// <summary>One value as JSON with the pre-written runs' writer options.</summary>
    static byte[] Encoded(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = EncodedPost.Writer(buffer)) write(w);
        return buffer.WrittenSpan.ToArray();
    }

    static byte[] GroupCardOf(GroupRef g) => GroupsJson.GetValue(g, static g => Encoded(w => WriteGroup(w, g)));

    static void WriteGroup(Utf8JsonWriter w, GroupRef g)
    {
        w.WriteStartObject();
        w.WriteString(Names.Id, g.Id);
        w.WriteString(Names.Name, g.Name);
        w.WriteString(Names.Kind, g.Kind);
        w.WriteString(Names.Url, g.Url);
        w.WriteEndObject();
    }

    static void WritePersonObject(Utf8JsonWriter w, PersonSummary a)
    {
        w.WriteStartObject();
        w.WriteString(Names.Id, a.Id);
        w.WriteString(Names.Handle, a.Handle);
        w.WriteString(Names.DisplayName, a.DisplayName);
        w.WriteString(Names.JobTitle, a.JobTitle);
        w.WriteString(Names.Department, a.Department);
        w.WriteString(Names.AvatarUrl, a.AvatarUrl);
        w.WriteBoolean(Names.Active, a.Active);
        w.WriteEndObject();
    }

    internal static void WriteReactions(Utf8JsonWriter w, IReadOnlyDictionary<string, int> reactions)
    {
        w.WriteStartObject(Names.Reactions);
        if (reactions is Dictionary<string, int> counts) foreach (var (kind, n) in counts) w.WriteNumber(kind, n); // no boxed enumerator
        else foreach (var (kind, n) in reactions) w.WriteNumber(kind, n);
        w.WriteEndObject();
    }

    internal static void WriteStrings(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<string> values)
    {
        w.WritePropertyName(name);
        WriteStringValues(w, values);
    }

    internal static void WriteStringValues(Utf8JsonWriter w, IReadOnlyList<string> values)
    {
        w.WriteStartArray();
        for (var i = 0; i < values.Count; i++) w.WriteStringValue(values[i]);
        w.WriteEndArray();
    }
}
