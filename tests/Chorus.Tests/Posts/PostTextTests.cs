using Chorus.Server.Features.Posts;

namespace Chorus.Tests.Posts;

public sealed class PostTextTests
{
    static readonly Dictionary<string, string> Known = new() { ["ada"] = "ada", ["zoë"] = "Zoë", ["ben.o"] = "ben.o" };

    static string Html(string md) => PostText.Render(md, Known).Html;

    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;")]
    [InlineData("[click](javascript:alert(1))", "<p>click</p>")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>")]
    [InlineData("![alt text](https://example.org/a.png)", "<p>alt text</p>")]
    [InlineData("# not a heading", "<p># not a heading</p>")]
    public void Raw_html_and_unsafe_links_never_pass(string md, string expectedFragment)
    {
        var html = Html(md);
        Assert.Contains(expectedFragment, html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("onerror=\"", html);
    }

    [Fact]
    public void Unicode_validity_is_every_surrogate_in_a_pair()
    {
        // In code, not in theory data: a lone surrogate does not survive the test framework's serialization.
        Assert.True(PostText.IsValidUnicode("plain"));
        Assert.True(PostText.IsValidUnicode(""));
        Assert.True(PostText.IsValidUnicode("emoji \U0001F600 and \u00e9"));
        Assert.False(PostText.IsValidUnicode("lone high " + (char)0xD800 + " here"));
        Assert.False(PostText.IsValidUnicode("lone low " + (char)0xDC00));
        Assert.False(PostText.IsValidUnicode("ends high " + (char)0xD83D));
        Assert.False(PostText.IsValidUnicode("swapped " + (char)0xDE00 + (char)0xD83D));
    }

    [Fact]
    public void The_markdown_subset_renders()
    {
        var html = Html("**bold** *italic* `code`\n\n- one\n- two\n\n1. first\n\n> quoted\n\n```\nblock <b>\n```");
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<em>italic</em>", html);
        Assert.Contains("<code>code</code>", html);
        Assert.Contains("<ul>", html);
        Assert.Contains("<ol>", html);
        Assert.Contains("<blockquote>", html);
        Assert.Contains("<pre><code>block &lt;b&gt;", html);
    }

    [Theory]
    [InlineData("[site](https://example.org)", "https://example.org/")]
    [InlineData("https://example.org/path?q=1", "https://example.org/path?q=1")]
    [InlineData("[mail](mailto:a@example.org)", "mailto:a@example.org")]
    public void Allowed_links_get_rel_nofollow_noopener(string md, string href)
    {
        var html = Html(md);
        Assert.Contains("rel=\"nofollow noopener noreferrer\"", html);
        Assert.Contains(href.TrimEnd('/'), html);
    }

    [Fact]
    public void Mentions_and_topics_are_unicode_aware_and_skip_code_and_unknown_handles()
    {
        var r = PostText.Render("Hi @Zoë and @ada. #Café #日本語 `@ben.o #code` @stranger email a@ada.org issue #42", Known);
        Assert.Equal(["zoë", "ada"], r.MentionKeys);
        Assert.Equal(["Café", "日本語"], r.Topics);
        Assert.Contains("<a href=\"/people/Zo%C3%AB\" class=\"mention\">@Zoë</a>", r.Html);
        Assert.Contains("<a href=\"/topics/caf%C3%A9\" class=\"topic\">#Café</a>", r.Html);
        Assert.Contains("<code>@ben.o #code</code>", r.Html);
        Assert.Contains("@stranger", r.Html);
        Assert.DoesNotContain("/people/stranger", r.Html);
        Assert.Contains("issue #42", r.Html);
    }

    [Fact]
    public void Candidate_mentions_are_found_before_rendering()
    {
        Assert.Equal(["ada", "ben.o"], PostText.CandidateMentions("@Ada, meet @ben.o. `@notme`"));
    }
}
