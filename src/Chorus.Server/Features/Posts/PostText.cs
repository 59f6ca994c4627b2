using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Markdig;
using Markdig.Parsers;

namespace Chorus.Server.Features.Posts;

/// <summary>The HTML of a post, and the handles and topics found in it (outside code and links).</summary>
public sealed record RenderedText(string Html, IReadOnlyList<string> MentionKeys, IReadOnlyList<string> Topics);

/// <summary>
/// Markdown subset → sanitized HTML. Markdig with raw HTML disabled does the parsing; an AngleSharp pass then
/// keeps only an allow-list of elements and attributes, checks link schemes, adds rel, and turns @handles and
/// #topics into links. Defence in depth: even if Markdig emitted something unexpected, only the allow-list survives.
/// </summary>
public static partial class PostText
{
    public const int MaxLength = 5000;
    public const int MaxHandleLength = 30;
    public const int MaxTagLength = 64;

    static readonly MarkdownPipeline Pipeline = BuildPipeline();
    static readonly HashSet<string> AllowedElements = ["p", "br", "strong", "em", "a", "ul", "ol", "li", "code", "pre", "blockquote"];
    static readonly HashSet<string> DroppedWithContent = ["script", "style", "iframe", "object", "embed", "template", "svg", "math"];
    static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    // A mention starts after a non-word character; handles are letters, digits, '_', '.', '-' (not ending in '.' or '-').
    [GeneratedRegex(@"(?<![\p{L}\p{N}_@/.\-])@([\p{L}\p{N}_](?:[\p{L}\p{N}_.\-]*[\p{L}\p{N}_])?)")]
    private static partial Regex MentionPattern();

    // A topic needs at least one letter, so "#1" in "issue #1" is not a topic.
    [GeneratedRegex(@"(?<![\p{L}\p{N}_&#/])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)")]
    private static partial Regex TopicPattern();

    static MarkdownPipeline BuildPipeline()
    {
        var b = new MarkdownPipelineBuilder().DisableHtml().UseAutoLinks().UseSoftlineBreakAsHardlineBreak();
        // The subset: no headings, tables, thematic breaks or indented code (fenced code only).
        b.BlockParsers.RemoveAll(p => p is HeadingBlockParser or ThematicBreakParser or IndentedCodeBlockParser);
        return b.Build();
    }

    public static string Key(string handleOrTag) => handleOrTag.ToLowerInvariant();

    /// <summary><see cref="Key(string)"/> of a span: the lower-cased copy is the only string made.</summary>
    static string Key(ReadOnlySpan<char> handleOrTag)
    {
        Span<char> lower = handleOrTag.Length <= 128 ? stackalloc char[handleOrTag.Length] : new char[handleOrTag.Length];
        handleOrTag.ToLowerInvariant(lower);
        return new string(lower);
    }

    /// <summary>Whether every surrogate is half of a pair: text that is not becomes U+FFFD in JSON and cannot be stored faithfully.</summary>
    public static bool IsValidUnicode(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (!char.IsHighSurrogate(text[i]) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
            i++;
        }
        return true;
    }

    /// <summary>Handles (lower-cased) that the text mentions, so the caller can look them up before rendering.</summary>
    public static IReadOnlyList<string> CandidateMentions(string markdown) =>
        // A mention needs an '@' in the text, written or as an entity ('&#64;'): without either there is nothing to
        // find, and most posts can skip parsing their text.
        MayMention(markdown) ? CandidateMentionsInHtml(MarkdownHtml(markdown)) : [];

    /// <summary>Whether the Markdown may mention anyone: it has an '@', written or as an entity ('&amp;#64;').</summary>
    public static bool MayMention(string markdown) => markdown.AsSpan().IndexOfAny('@', '&') >= 0;

    /// <summary><see cref="CandidateMentions"/> of a text whose HTML (<see cref="MarkdownHtml"/>) the caller has.</summary>
    public static IReadOnlyList<string> CandidateMentionsInHtml(string html)
    {
        var found = new List<string>();
        if (SimpleHtml.Segments(html) is { } segments)
        {
            foreach (var (start, length, linkable) in segments)
                if (linkable) AddMentions(html.AsSpan(start, length), found);
        }
        else
        {
            foreach (var text in LinkableTextNodes(ParseHtml(html).Body!)) AddMentions(text.Data, found);
        }
        return found;
    }

    /// <summary>Adds the handles the text mentions (lower-cased), each once, in order.</summary>
    static void AddMentions(ReadOnlySpan<char> text, List<string> found)
    {
        // A match is the '@' and the handle (group 1) after it: the lookbehind takes no characters.
        foreach (var m in MentionPattern().EnumerateMatches(text))
        {
            if (m.Length - 1 > MaxHandleLength) continue;
            var key = Key(text.Slice(m.Index + 1, m.Length - 1));
            if (!found.Contains(key)) found.Add(key);
        }
    }

    /// <summary>Renders the text. <paramref name="knownHandles"/> maps lower-cased handle → canonical handle; unknown mentions stay plain text.</summary>
    public static RenderedText Render(string markdown, IReadOnlyDictionary<string, string> knownHandles) =>
        RenderHtml(MarkdownHtml(markdown), knownHandles);

    /// <summary><see cref="Render"/> of a text whose HTML (<see cref="MarkdownHtml"/>) the caller has.</summary>
    public static RenderedText RenderHtml(string html, IReadOnlyDictionary<string, string> knownHandles) =>
        RenderSimple(html, knownHandles) ?? RenderParsed(html, knownHandles);

    /// <summary>Markdig's HTML for a text (before sanitizing and links).</summary>
    internal static string MarkdownHtml(string markdown) => Markdown.ToHtml(markdown, Pipeline);

    /// <summary>The reference path: Markdig's HTML parsed, sanitized against the allow-list and linkified as a DOM.</summary>
    internal static RenderedText RenderParsed(string html, IReadOnlyDictionary<string, string> knownHandles)
    {
        var doc = ParseHtml(html);
        var body = doc.Body!;
        Sanitize(body);

        var mentions = new List<string>();
        var topics = new List<string>();
        foreach (var text in LinkableTextNodes(body).ToList())
            Linkify(doc, text, knownHandles, mentions, topics);

        return new RenderedText(body.InnerHtml.Trim(), mentions, topics);
    }

    /// <summary>
    /// The fast path, for the common post whose HTML <see cref="SimpleHtml"/> recognises (allow-listed tags without
    /// attributes, text without entities): the links go into the text segments directly, and the result is what
    /// <see cref="RenderParsed"/> makes of the same HTML, character for character (tests compare the two). Parsing
    /// the HTML into a DOM and writing it out again was most of a post's rendering, ~12% of the server's CPU per
    /// post (W1 in bench/findings.md). Null when the HTML is not that simple.
    /// </summary>
    internal static RenderedText? RenderSimple(string html, IReadOnlyDictionary<string, string> knownHandles)
    {
        if (SimpleHtml.Segments(html) is not { } segments) return null;
        var sb = new System.Text.StringBuilder(html.Length + 64);
        var mentions = new List<string>();
        var topics = new List<string>();
        var at = 0;
        foreach (var (start, length, linkable) in segments)
        {
            AppendTags(sb, html.AsSpan(at, start - at));
            if (!linkable) sb.Append(html, start, length);
            else if (!AppendLinkified(sb, html.AsSpan(start, length), knownHandles, mentions, topics)) return null;
            at = start + length;
        }
        AppendTags(sb, html.AsSpan(at));
        return new RenderedText(Trimmed(sb), mentions, topics);
    }

    /// <summary>The builder's text without leading and trailing white space, as <see cref="string.Trim()"/> would
    /// make it, in one string.</summary>
    static string Trimmed(System.Text.StringBuilder sb)
    {
        int start = 0, end = sb.Length;
        while (start < end && char.IsWhiteSpace(sb[start])) start++;
        while (end > start && char.IsWhiteSpace(sb[end - 1])) end--;
        return sb.ToString(start, end - start);
    }

    /// <summary>Tags as the DOM writes them: a void element without the self-closing slash.</summary>
    static void AppendTags(System.Text.StringBuilder sb, ReadOnlySpan<char> tags)
    {
        while (tags.Length > 0)
        {
            var end = tags.IndexOf('>') + 1;
            var tag = tags[..end];
            if (tag.SequenceEqual("<br />")) sb.Append("<br>");
            else sb.Append(tag);
            tags = tags[end..];
        }
    }

    /// <summary>Appends the text with its links; false if a link would need escaping (a handle or tag the rules for
    /// them never allow), which the DOM path then does.</summary>
    static bool AppendLinkified(System.Text.StringBuilder sb, ReadOnlySpan<char> data, IReadOnlyDictionary<string, string> known, List<string> mentions, List<string> topics)
    {
        var pos = 0;
        foreach (var (index, length, isMention) in Matches(data))
        {
            if (index < pos) continue;
            if (LinkFor(new string(data.Slice(index + 1, length - 1)), isMention, known, mentions, topics) is not { } link) continue;
            if (link.Href.AsSpan().IndexOfAny(NeedsEscaping) >= 0 || link.Text.AsSpan().IndexOfAny(NeedsEscaping) >= 0) return false;
            sb.Append(data[pos..index]);
            sb.Append("<a href=\"").Append(link.Href).Append("\" class=\"").Append(link.Class).Append("\">").Append(link.Text).Append("</a>");
            pos = index + length;
        }
        sb.Append(data[pos..]);
        return true;
    }

    static readonly System.Buffers.SearchValues<char> NeedsEscaping = System.Buffers.SearchValues.Create("<>&\"\u00A0");

    static readonly List<(int Index, int Length, bool Mention)> NoMatches = [];

    /// <summary>Mentions and topics in a text, in order of position: each match is its '@' or '#' and then the handle
    /// or tag (the patterns' group 1; their lookbehinds take no characters). Never change the list answered.</summary>
    static List<(int Index, int Length, bool Mention)> Matches(ReadOnlySpan<char> data)
    {
        if (data.IndexOfAny('@', '#') < 0) return NoMatches;
        var found = new List<(int Index, int Length, bool Mention)>();
        foreach (var m in MentionPattern().EnumerateMatches(data)) found.Add((m.Index, m.Length, true));
        var mentions = found.Count;
        foreach (var m in TopicPattern().EnumerateMatches(data)) found.Add((m.Index, m.Length, false));
        // No two matches start at one place (one starts with '@', the other with '#'), so any sort keeps the order.
        if (mentions > 0 && found.Count > mentions) found.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return found;
    }

    /// <summary>The link a mention of a known person or a topic becomes (recording it, once, in order: a topic once
    /// whatever its case), or null: it stays text.</summary>
    static (string Href, string Class, string Text)? LinkFor(string value, bool isMention, IReadOnlyDictionary<string, string> known, List<string> mentions, List<string> topics)
    {
        if (isMention)
        {
            if (value.Length > MaxHandleLength) return null;
            var key = Key(value);
            if (!known.TryGetValue(key, out var handle)) return null;
            if (!mentions.Contains(key)) mentions.Add(key);
            return ("/people/" + Uri.EscapeDataString(handle), "mention", "@" + handle);
        }
        if (value.Length <= MaxTagLength)
        {
            var key = Key(value);
            var seen = false;
            foreach (var topic in topics)
                if (Key(topic) == key) { seen = true; break; }
            if (!seen) topics.Add(value);
            return ("/topics/" + Uri.EscapeDataString(key), "topic", "#" + value);
        }
        return null;
    }

    /// <summary>One parser per thread: making a parser cost ~19 µs, three quarters of parsing a post's HTML (W1 in
    /// bench/findings.md); a parser is reusable but not documented as safe to share between threads.</summary>
    [ThreadStatic] static HtmlParser? _parser;

    static IDocument ParseHtml(string html) =>
        (_parser ??= new HtmlParser()).ParseDocument("<!doctype html><html><body>" + html + "</body></html>");

    static void Sanitize(INode node)
    {
        foreach (var child in node.ChildNodes.ToList())
        {
            if (child is IElement el)
            {
                var name = el.LocalName;
                if (DroppedWithContent.Contains(name)) { el.Remove(); continue; }
                Sanitize(el);
                if (name == "img")
                {
                    // Images are not part of the subset: keep their description as text.
                    el.Replace(el.Owner!.CreateTextNode(el.GetAttribute("alt") ?? ""));
                    continue;
                }
                if (!AllowedElements.Contains(name)) { Unwrap(el); continue; }
                var href = name == "a" ? el.GetAttribute("href") : null;
                foreach (var attr in el.Attributes.ToList()) el.RemoveAttribute(attr.Name);
                if (name == "a")
                {
                    if (href is null || !IsAllowedLink(href)) { Unwrap(el); continue; }
                    el.SetAttribute("href", href);
                    el.SetAttribute("rel", "nofollow noopener noreferrer");
                }
            }
            else if (child is not IText)
            {
                child.RemoveFromParent(); // comments, processing instructions
            }
        }
    }

    static bool IsAllowedLink(string href) =>
        Uri.TryCreate(href, UriKind.Absolute, out var uri) && AllowedSchemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase);

    static void Unwrap(IElement el)
    {
        var parent = el.Parent!;
        foreach (var c in el.ChildNodes.ToList()) parent.InsertBefore(c, el);
        el.Remove();
    }

    static IEnumerable<IText> LinkableTextNodes(INode root)
    {
        foreach (var child in root.ChildNodes)
        {
            if (child is IText t) yield return t;
            else if (child is IElement e && e.LocalName is not ("a" or "code" or "pre"))
                foreach (var inner in LinkableTextNodes(e)) yield return inner;
        }
    }

    static void Linkify(IDocument doc, IText text, IReadOnlyDictionary<string, string> known, List<string> mentions, List<string> topics)
    {
        var data = text.Data;
        var matches = Matches(data);
        if (matches.Count == 0) return;

        var parent = text.Parent!;
        var pos = 0;
        foreach (var (index, length, isMention) in matches)
        {
            if (index < pos) continue;
            if (LinkFor(data.Substring(index + 1, length - 1), isMention, known, mentions, topics) is not { } found) continue;
            var link = doc.CreateElement("a");
            link.SetAttribute("href", found.Href);
            link.SetAttribute("class", found.Class);
            link.TextContent = found.Text;
            if (index > pos) parent.InsertBefore(doc.CreateTextNode(data[pos..index]), text);
            parent.InsertBefore(link, text);
            pos = index + length;
        }
        if (pos == 0) return;
        if (pos < data.Length) parent.InsertBefore(doc.CreateTextNode(data[pos..]), text);
        text.RemoveFromParent();
    }
}

/// <summary>
/// Recognises HTML from Markdig that needs no sanitizing: only allow-listed tags, exactly as Markdig writes them and
/// without attributes, and text with no character the DOM would write differently: no entity (so no escaped
/// '&amp;', '&lt;', '&gt;' or '&quot;'), no '&gt;', no non-breaking space, no control character but newline and tab.
/// Anything else — a link, an image, code with a language, an entity — answers null and takes the DOM path.
/// </summary>
static class SimpleHtml
{
    static readonly string[] Tags =
    [
        "<p>", "</p>", "<br />", "<strong>", "</strong>", "<em>", "</em>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>",
        "<blockquote>", "</blockquote>", "<code>", "</code>", "<pre>", "</pre>",
    ];

    /// <summary>The text between the tags (start, length, and whether it is outside code, so links may go in), or null.</summary>
    public static List<(int Start, int Length, bool Linkable)>? Segments(string html)
    {
        var segments = new List<(int, int, bool)>();
        var inCode = 0;
        var i = 0;
        while (i < html.Length)
        {
            if (html[i] == '<')
            {
                var end = html.IndexOf('>', i);
                if (end < 0) return null;
                var tag = html.AsSpan(i, end - i + 1);
                var known = false;
                foreach (var t in Tags)
                    if (tag.SequenceEqual(t)) { known = true; break; }
                if (!known) return null;
                if (tag.SequenceEqual("<code>") || tag.SequenceEqual("<pre>")) inCode++;
                else if (tag.SequenceEqual("</code>") || tag.SequenceEqual("</pre>")) inCode--;
                // The HTML parser drops a newline right after <pre>: Markdig writes <pre><code>, but do not rely on it.
                if (tag.SequenceEqual("<pre>") && (end + 1 >= html.Length || html[end + 1] != '<')) return null;
                if (inCode < 0) return null;
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < html.Length && html[i] != '<')
            {
                var c = html[i];
                if (c is '&' or '>' or '\u00A0' or '\r' || (c < ' ' && c is not ('\n' or '\t'))) return null;
                i++;
            }
            segments.Add((start, i - start, inCode == 0));
        }
        return inCode == 0 ? segments : null;
    }
}
