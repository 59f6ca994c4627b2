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
    public static IReadOnlyList<string> CandidateMentions(string markdown)
    {
        // A mention needs an '@' in the text, written or as an entity ('&#64;'): without either there is nothing to
        // find, and most posts can skip parsing their text twice.
        if (markdown.AsSpan().IndexOfAny('@', '&') < 0) return [];
        var html = MarkdownHtml(markdown);
        var found = new List<string>();
        if (SimpleHtml.Segments(html) is { } segments)
        {
            foreach (var (start, length, linkable) in segments)
                if (linkable) AddMentions(html.Substring(start, length), found);
        }
        else
        {
            foreach (var text in LinkableTextNodes(ParseHtml(html).Body!)) AddMentions(text.Data, found);
        }
        return found.Distinct().ToList();
    }

    static void AddMentions(string text, List<string> found)
    {
        foreach (Match m in MentionPattern().Matches(text))
            if (m.Groups[1].Length <= MaxHandleLength) found.Add(Key(m.Groups[1].Value));
    }

    /// <summary>Renders the text. <paramref name="knownHandles"/> maps lower-cased handle → canonical handle; unknown mentions stay plain text.</summary>
    public static RenderedText Render(string markdown, IReadOnlyDictionary<string, string> knownHandles)
    {
        var html = MarkdownHtml(markdown);
        return RenderSimple(html, knownHandles) ?? RenderParsed(html, knownHandles);
    }

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

        return new RenderedText(body.InnerHtml.Trim(), mentions.Distinct().ToList(),
            topics.DistinctBy(Key).ToList());
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
            var text = html.Substring(start, length);
            if (!linkable) sb.Append(text);
            else if (!AppendLinkified(sb, text, knownHandles, mentions, topics)) return null;
            at = start + length;
        }
        AppendTags(sb, html.AsSpan(at));
        return new RenderedText(sb.ToString().Trim(), mentions.Distinct().ToList(), topics.DistinctBy(Key).ToList());
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
    static bool AppendLinkified(System.Text.StringBuilder sb, string data, IReadOnlyDictionary<string, string> known, List<string> mentions, List<string> topics)
    {
        var pos = 0;
        foreach (var (m, isMention) in Matches(data))
        {
            if (m.Index < pos) continue;
            if (LinkFor(m.Groups[1].Value, isMention, known, mentions, topics) is not { } link) continue;
            if (link.Href.AsSpan().IndexOfAny(NeedsEscaping) >= 0 || link.Text.AsSpan().IndexOfAny(NeedsEscaping) >= 0) return false;
            sb.Append(data, pos, m.Index - pos);
            sb.Append("<a href=\"").Append(link.Href).Append("\" class=\"").Append(link.Class).Append("\">").Append(link.Text).Append("</a>");
            pos = m.Index + m.Length;
        }
        sb.Append(data, pos, data.Length - pos);
        return true;
    }

    static readonly System.Buffers.SearchValues<char> NeedsEscaping = System.Buffers.SearchValues.Create("<>&\"\u00A0");

    /// <summary>Mentions and topics in a text, in order of position.</summary>
    static List<(Match M, bool Mention)> Matches(string data) =>
        MentionPattern().Matches(data).Select(m => (m, true))
            .Concat(TopicPattern().Matches(data).Select(m => (m, false)))
            .OrderBy(x => x.Item1.Index).ToList();

    /// <summary>The link a mention of a known person or a topic becomes (recording it), or null: it stays text.</summary>
    static (string Href, string Class, string Text)? LinkFor(string value, bool isMention, IReadOnlyDictionary<string, string> known, List<string> mentions, List<string> topics)
    {
        if (isMention && value.Length <= MaxHandleLength && known.TryGetValue(Key(value), out var handle))
        {
            mentions.Add(Key(value));
            return ("/people/" + Uri.EscapeDataString(handle), "mention", "@" + handle);
        }
        if (!isMention && value.Length <= MaxTagLength)
        {
            topics.Add(value);
            return ("/topics/" + Uri.EscapeDataString(Key(value)), "topic", "#" + value);
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
        foreach (var (m, isMention) in matches)
        {
            if (m.Index < pos) continue;
            if (LinkFor(m.Groups[1].Value, isMention, known, mentions, topics) is not { } found) continue;
            var link = doc.CreateElement("a");
            link.SetAttribute("href", found.Href);
            link.SetAttribute("class", found.Class);
            link.TextContent = found.Text;
            if (m.Index > pos) parent.InsertBefore(doc.CreateTextNode(data[pos..m.Index]), text);
            parent.InsertBefore(link, text);
            pos = m.Index + m.Length;
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
