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
        var doc = Parse(markdown);
        var found = new List<string>();
        foreach (var text in LinkableTextNodes(doc.Body!))
            foreach (Match m in MentionPattern().Matches(text.Data))
                if (m.Groups[1].Length <= MaxHandleLength) found.Add(Key(m.Groups[1].Value));
        return found.Distinct().ToList();
    }

    /// <summary>Renders the text. <paramref name="knownHandles"/> maps lower-cased handle → canonical handle; unknown mentions stay plain text.</summary>
    public static RenderedText Render(string markdown, IReadOnlyDictionary<string, string> knownHandles)
    {
        var doc = Parse(markdown);
        var body = doc.Body!;
        Sanitize(body);

        var mentions = new List<string>();
        var topics = new List<string>();
        foreach (var text in LinkableTextNodes(body).ToList())
            Linkify(doc, text, knownHandles, mentions, topics);

        return new RenderedText(body.InnerHtml.Trim(), mentions.Distinct().ToList(),
            topics.DistinctBy(Key).ToList());
    }

    /// <summary>One parser per thread: making a parser cost ~19 µs, three quarters of parsing a post's HTML (W1 in
    /// bench/findings.md); a parser is reusable but not documented as safe to share between threads.</summary>
    [ThreadStatic] static HtmlParser? _parser;

    static IDocument Parse(string markdown)
    {
        var html = Markdown.ToHtml(markdown, Pipeline);
        return (_parser ??= new HtmlParser()).ParseDocument("<!doctype html><html><body>" + html + "</body></html>");
    }

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
        var matches = MentionPattern().Matches(data).Cast<Match>().Select(m => (m, mention: true))
            .Concat(TopicPattern().Matches(data).Cast<Match>().Select(m => (m, mention: false)))
            .OrderBy(x => x.m.Index).ToList();
        if (matches.Count == 0) return;

        var parent = text.Parent!;
        var pos = 0;
        foreach (var (m, isMention) in matches)
        {
            if (m.Index < pos) continue;
            var value = m.Groups[1].Value;
            IElement? link = null;
            if (isMention && value.Length <= MaxHandleLength && known.TryGetValue(Key(value), out var handle))
            {
                link = doc.CreateElement("a");
                link.SetAttribute("href", "/people/" + Uri.EscapeDataString(handle));
                link.SetAttribute("class", "mention");
                link.TextContent = "@" + handle;
                mentions.Add(Key(value));
            }
            else if (!isMention && value.Length <= MaxTagLength)
            {
                link = doc.CreateElement("a");
                link.SetAttribute("href", "/topics/" + Uri.EscapeDataString(Key(value)));
                link.SetAttribute("class", "topic");
                link.TextContent = "#" + value;
                topics.Add(value);
            }
            if (link is null) continue;
            if (m.Index > pos) parent.InsertBefore(doc.CreateTextNode(data[pos..m.Index]), text);
            parent.InsertBefore(link, text);
            pos = m.Index + m.Length;
        }
        if (pos == 0) return;
        if (pos < data.Length) parent.InsertBefore(doc.CreateTextNode(data[pos..]), text);
        text.RemoveFromParent();
    }
}
