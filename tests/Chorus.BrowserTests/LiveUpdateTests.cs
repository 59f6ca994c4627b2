using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// <summary>
/// Two people in two browser contexts against one real server: what one does reaches the other's open page without a
/// reload (js/live.js over the SSE stream). In the demo organization ben follows ada, so ada's posts belong on ben's Home.
/// </summary>
public sealed class LiveUpdateTests(ServerFixture server)
{
    static readonly string Screenshots = Path.Combine(ServerFixture.RepoRoot, "docs", "screenshots");

    [Fact]
    public async Task A_mention_arrives_behind_the_new_posts_pill_and_reveals_at_the_top()
    {
        var ben = await OpenHomeAsync("ben");
        var problems = WatchForPageErrors(ben);
        var ada = await server.SignedInPageAsync("ada");
        var marker = $"live{Guid.NewGuid():N}"[..12];
        var firstBefore = await ben.Locator("[data-feed] > article.post").First.GetAttributeAsync("data-post-id");

        var id = await PostAsync(ada, $"@ben the release notes are ready for review {marker}");

        var pill = ben.Locator(".live-pill");
        await Expect(pill).ToHaveTextAsync(new Regex("1 new post$"));
        // Nothing moved under the reader: the post waits behind the pill until asked for.
        await Expect(ben.Locator("[data-feed] > article.post").First).ToHaveAttributeAsync("data-post-id", firstBefore!);
        await Expect(ben.Locator($"article[data-post-id='{id}']")).ToHaveCountAsync(0);
        await ben.Mouse.MoveAsync(0, 0);
        Directory.CreateDirectory(Screenshots);
        await ben.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "live.png"), Animations = ScreenshotAnimations.Disabled });

        await pill.ClickAsync();
        var first = ben.Locator("[data-feed] > article.post").First;
        await Expect(first).ToHaveAttributeAsync("data-post-id", id);
        await Expect(first).ToContainTextAsync(marker);
        await Expect(first.Locator(".post-body a[href='/people/ben']")).ToHaveTextAsync("@ben");
        await Expect(pill).ToBeHiddenAsync();
        await Expect(ben.Locator($"article[data-post-id='{id}']")).ToHaveCountAsync(1);

        Assert.Empty(problems);
        await ada.Context.CloseAsync();
        await ben.Context.CloseAsync();
    }

    /// <summary>Needs the notifications feature (the `notification` stream event and the server-rendered badge count).</summary>
    [Fact]
    public async Task A_mention_raises_the_NotificationBadge_without_a_reload()
    {
        var ben = await OpenHomeAsync("ben");
        var badge = ben.Locator("#notification-badge");
        var before = int.Parse(await badge.GetAttributeAsync("data-count") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var ada = await server.SignedInPageAsync("ada");

        await PostAsync(ada, $"@ben could you look at the budget sheet? {Guid.NewGuid():N}");

        await Expect(badge).ToHaveAttributeAsync("data-count", (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(badge).ToBeVisibleAsync();
        await ada.Context.CloseAsync();
        await ben.Context.CloseAsync();
    }

    [Fact]
    public async Task Reactions_and_replies_by_someone_else_update_the_counts_live()
    {
        var ben = await OpenHomeAsync("ben");
        var id = await PostAsync(ben, $"Who is coming to the offsite? {Guid.NewGuid():N}");
        var card = ben.Locator($"[data-feed] > article[data-post-id='{id}']");
        var like = card.Locator(".reactions > button[data-reaction='like']");
        await Expect(like.Locator(".count")).ToHaveTextAsync("");

        var ada = await server.SignedInPageAsync("ada");
        await ada.GotoAsync($"/posts/{id}");
        await ada.Locator("article.post.focus .reactions > button[data-reaction='like']").ClickAsync();
        await Expect(like.Locator(".count")).ToHaveTextAsync("1");
        // Ada's like is not ben's: his button stays unpressed.
        await Expect(like).ToHaveAttributeAsync("aria-pressed", "false");

        await ada.GetByLabel(new Regex("^Reply to ")).FillAsync("Count me in");
        await ada.Locator("#reply-form").GetByRole(AriaRole.Button, new() { Name = "Reply" }).ClickAsync();
        await Expect(card.Locator(".reply-link")).ToContainTextAsync("Reply · 1");
        await ada.Context.CloseAsync();
        await ben.Context.CloseAsync();
    }

    [Fact]
    public async Task After_a_network_drop_the_page_resumes_and_counts_exactly_the_missed_posts()
    {
        var ben = await OpenHomeAsync("ben");
        var ada = await server.SignedInPageAsync("ada");
        var before = await PostAsync(ada, $"Before the drop {Guid.NewGuid():N}");
        await Expect(ben.Locator(".live-pill")).ToHaveTextAsync(new Regex("1 new post$"));

        await ben.Context.SetOfflineAsync(true);
        await Expect(ben.Locator("body")).Not.ToHaveAttributeAsync("data-live", "open");
        var missed = new[]
        {
            await PostAsync(ada, $"During the drop, one {Guid.NewGuid():N}"),
            await PostAsync(ada, $"During the drop, two {Guid.NewGuid():N}"),
        };
        await ben.Context.SetOfflineAsync(false);

        await Expect(ben.Locator("body")).ToHaveAttributeAsync("data-live", "open");
        await Expect(ben.Locator(".live-pill")).ToHaveTextAsync(new Regex("3 new posts$"));
        await ben.Locator(".live-pill").ClickAsync();
        var feed = ben.Locator("[data-feed] > article.post");
        await Expect(feed.Nth(0)).ToHaveAttributeAsync("data-post-id", missed[1]);
        await Expect(feed.Nth(1)).ToHaveAttributeAsync("data-post-id", missed[0]);
        await Expect(feed.Nth(2)).ToHaveAttributeAsync("data-post-id", before);
        foreach (var id in missed.Append(before))
            await Expect(ben.Locator($"article[data-post-id='{id}']")).ToHaveCountAsync(1);
        await Expect(ben.Locator(".live-pill")).ToBeHiddenAsync();
        await ada.Context.CloseAsync();
        await ben.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_thread_replies_edits_and_deletions_arrive_live()
    {
        var ada = await server.SignedInPageAsync("ada");
        var root = await PostAsync(ada, $"Retro notes for the sprint {Guid.NewGuid():N}");
        var ben = await server.SignedInPageAsync("ben");
        var problems = WatchForPageErrors(ben);
        await ben.GotoAsync($"/posts/{root}");
        await Expect(ben.Locator("body")).ToHaveAttributeAsync("data-live", "open");

        await ada.GotoAsync($"/posts/{root}");
        await ada.GetByLabel(new Regex("^Reply to ")).FillAsync("First action item: fix the flaky build");
        await ada.Locator("#reply-form").GetByRole(AriaRole.Button, new() { Name = "Reply" }).ClickAsync();
        var adaReply = ada.Locator("[data-replies] > article.post").Last;
        await Expect(adaReply).Not.ToHaveClassAsync(new Regex("pending"));
        var replyId = (await adaReply.GetAttributeAsync("data-post-id"))!;

        var benReplies = ben.Locator("[data-replies] > article.post");
        await Expect(benReplies).ToHaveCountAsync(1);
        await Expect(benReplies.First).ToHaveAttributeAsync("data-post-id", replyId);
        await Expect(ben.Locator("article.post.focus .reply-link")).ToContainTextAsync("Reply · 1");

        var rootCard = ada.Locator("article.post.focus");
        await rootCard.Locator("details.manage > summary").ClickAsync();
        await rootCard.GetByLabel("Edit your post").FillAsync("Retro notes, now with **owners**");
        await rootCard.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        var benRoot = ben.Locator("article.post.focus");
        await Expect(benRoot.Locator(".post-body strong")).ToHaveTextAsync("owners");
        await Expect(benRoot.Locator(".edited a")).ToHaveTextAsync("edited");

        ada.Dialog += (_, dialog) => dialog.AcceptAsync();
        var reply = ada.Locator($"article[data-post-id='{replyId}']");
        await reply.Locator("details.manage > summary").ClickAsync();
        await reply.GetByRole(AriaRole.Button, new() { Name = "Delete post" }).ClickAsync();
        await Expect(ben.Locator($"article[data-post-id='{replyId}']")).ToHaveCountAsync(0);

        Assert.Empty(problems);
        await ada.Context.CloseAsync();
        await ben.Context.CloseAsync();
    }

    async Task<IPage> OpenHomeAsync(string handle)
    {
        var page = await server.SignedInPageAsync(handle);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-live", "open");
        return page;
    }

    /// <summary>Posts from the Home composer, as a person would, and returns the new post's id.</summary>
    static async Task<string> PostAsync(IPage page, string text)
    {
        if (!page.Url.EndsWith('/')) await page.GotoAsync("/");
        await page.GetByLabel("Share something with your colleagues").FillAsync(text);
        await page.Locator("#composer").GetByRole(AriaRole.Button, new() { Name = "Post" }).ClickAsync();
        var card = page.Locator("[data-feed] > article.post").Filter(new() { HasText = text });
        await Expect(card).Not.ToHaveClassAsync(new Regex("pending"));
        return (await card.GetAttributeAsync("data-post-id"))!;
    }

    /// <summary>Console errors include CSP violations, so an inline style or script slipping in fails the test.</summary>
    static List<string> WatchForPageErrors(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add(message.Text); };
        page.PageError += (_, error) => problems.Add(error);
        return problems;
    }
}
