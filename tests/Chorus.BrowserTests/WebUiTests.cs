using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// <summary>
/// The main journey through the web UI in a real browser against a real server: sign in, post with a mention, a
/// topic and bold text, react, reply; plus the error paths a person meets first. Saves the README screenshots.
/// </summary>
public sealed class WebUiTests(ServerFixture server)
{
    static readonly string Screenshots = Path.Combine(ServerFixture.RepoRoot, "docs", "screenshots");

    [Fact]
    public async Task Post_with_mention_and_topic_then_react_and_reply()
    {
        var page = await server.SignedInPageAsync("ada");
        var problems = WatchForPageErrors(page);
        var marker = $"m{Guid.NewGuid():N}"[..10];

        await page.GetByLabel("Share something with your colleagues").FillAsync(
            $"Launch checklist is ready, thanks @ben! **Ship it** on Friday {marker} #launch");
        await page.Locator("#composer").GetByRole(AriaRole.Button, new() { Name = "Post" }).ClickAsync();

        var first = page.Locator("[data-feed] > article.post").First;
        await Expect(first).ToContainTextAsync(marker);
        await Expect(first).Not.ToHaveClassAsync(new Regex("pending"));
        await Expect(first.Locator(".post-body a[href='/people/ben']")).ToHaveTextAsync("@ben");
        await Expect(first.Locator(".post-body a[href='/topics/launch']")).ToHaveTextAsync("#launch");
        await Expect(first.Locator(".post-body strong")).ToHaveTextAsync("Ship it");
        await Expect(page.GetByLabel("Share something with your colleagues")).ToHaveValueAsync("");

        // The post must be really stored, not only shown: after a reload it is still first.
        await page.ReloadAsync();
        first = page.Locator("[data-feed] > article.post").First;
        await Expect(first).ToContainTextAsync(marker);
        await page.Mouse.MoveAsync(0, 0);
        await SaveScreenshotAsync(page, "home.png");

        await first.Locator("a.when").ClickAsync();
        await page.WaitForURLAsync(new Regex("/posts/\\d+$"));
        var root = page.Locator("article.post.focus");
        await Expect(root).ToContainTextAsync(marker);

        var like = root.Locator(".reactions > button[data-reaction='like']");
        await Expect(like).ToHaveAttributeAsync("aria-pressed", "false");
        await like.ClickAsync();
        await Expect(like).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(like.Locator(".count")).ToHaveTextAsync("1");

        var reply = $"Count me in for the dry run {marker}-reply";
        await page.GetByLabel(new Regex("^Reply to ")).FillAsync(reply);
        await page.Locator("#reply-form").GetByRole(AriaRole.Button, new() { Name = "Reply" }).ClickAsync();
        var replies = page.Locator("[data-replies] > article.post");
        await Expect(replies.Last).ToContainTextAsync(reply);
        await Expect(replies.Last).Not.ToHaveClassAsync(new Regex("pending"));

        // Both the reaction and the reply survive a reload, so they went through the API for real.
        await page.ReloadAsync();
        await Expect(page.Locator("article.post.focus .reactions > button[data-reaction='like'] .count")).ToHaveTextAsync("1");
        await Expect(page.Locator("article.post.focus .reactions > button[data-reaction='like']")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("[data-replies] > article.post").Last).ToContainTextAsync(reply);
        await SaveScreenshotAsync(page, "thread.png");

        await page.GotoAsync("/people/ada");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ada Lindqvist", Level = 1 })).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "profile.png");

        await page.GotoAsync("/people");
        await Expect(page.Locator(".people-list > li").First).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "directory.png");

        // Phone width with the system's dark theme: one column, navigation as a bottom bar.
        await page.SetViewportSizeAsync(390, 844);
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.GotoAsync("/");
        await Expect(page.Locator("nav.sidenav")).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "home-phone-dark.png");

        Assert.Empty(problems);
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("/company", "Company", null)]
    [InlineData("/topics/launch", "#launch", "topic.png")]
    [InlineData("/people/ada/followers", "Followers of Ada Lindqvist", null)]
    [InlineData("/notifications", "Notifications", null)]
    [InlineData("/settings", "Settings", "settings.png")]
    [InlineData("/api-docs", "REST API", "api-docs.png")]
    public async Task Every_page_renders_within_the_content_security_policy(string path, string heading, string? screenshot)
    {
        var page = await server.SignedInPageAsync("ada");
        var problems = WatchForPageErrors(page);
        await page.GotoAsync(path);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(heading);
        if (path == "/api-docs") await Expect(page.Locator(".api-tag h2").First).ToBeVisibleAsync();
        if (screenshot is not null) await SaveScreenshotAsync(page, screenshot);
        Assert.Empty(problems);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_mention_shows_in_notifications_and_a_thread_can_be_muted_and_unmuted()
    {
        var ada = await server.SignedInPageAsync("ada");
        var problems = WatchForPageErrors(ada);
        var marker = $"n{Guid.NewGuid():N}"[..10];
        await ada.GotoAsync("/");
        await ada.GetByLabel("Share something with your colleagues").FillAsync($"Notes for @ben {marker}");
        await ada.Locator("#composer").GetByRole(AriaRole.Button, new() { Name = "Post" }).ClickAsync();
        var first = ada.Locator("[data-feed] > article.post").First;
        await Expect(first).ToContainTextAsync(marker);
        await Expect(first).Not.ToHaveClassAsync(new Regex("pending"));
        await first.Locator("a.when").ClickAsync();
        await ada.WaitForURLAsync(new Regex("/posts/\\d+$"));
        await ada.GetByRole(AriaRole.Button, new() { Name = "Mute thread" }).ClickAsync();
        await Expect(ada.GetByRole(AriaRole.Button, new() { Name = "Unmute thread" })).ToBeVisibleAsync();
        await ada.GotoAsync("/settings");
        var muted = ada.Locator(".muted-threads li", new() { HasText = marker });
        await muted.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(ada.Locator(".notice")).ToHaveTextAsync("The thread is unmuted.");
        await Expect(ada.Locator(".muted-threads li", new() { HasText = marker })).ToHaveCountAsync(0);

        var ben = await server.SignedInPageAsync("ben");
        var benProblems = WatchForPageErrors(ben);
        await ben.GotoAsync("/notifications");
        var item = ben.Locator(".notification", new() { HasText = marker });
        await Expect(item).ToContainTextAsync("mentioned you");
        await Expect(item).ToHaveClassAsync(new Regex("unread"));
        await Expect(ben.Locator("#notification-badge")).ToBeVisibleAsync();
        await SaveScreenshotAsync(ben, "notifications.png");
        await ben.GetByRole(AriaRole.Button, new() { Name = "Mark all as read" }).ClickAsync();
        await Expect(ben.Locator(".notification", new() { HasText = marker })).Not.ToHaveClassAsync(new Regex("unread"));
        await Expect(ben.Locator("#notification-badge")).ToBeHiddenAsync();
        Assert.Empty(problems);
        Assert.Empty(benProblems);
        await ada.Context.CloseAsync();
        await ben.Context.CloseAsync();
    }

    [Fact]
    public async Task Keyboard_shortcuts_move_between_posts_and_like_then_sign_out()
    {
        var page = await server.SignedInPageAsync("ada");
        await page.GotoAsync("/company");
        var posts = page.Locator("[data-feed] > article.post");
        await page.Keyboard.PressAsync("j");
        await Expect(posts.Nth(0)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("j");
        await Expect(posts.Nth(1)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("k");
        await Expect(posts.Nth(0)).ToBeFocusedAsync();

        var like = posts.Nth(0).Locator(".reactions > button[data-reaction='like']");
        var pressed = await like.GetAttributeAsync("aria-pressed") == "true";
        await page.Keyboard.PressAsync("l");
        await Expect(like).ToHaveAttributeAsync("aria-pressed", pressed ? "false" : "true");

        await page.Keyboard.PressAsync("/");
        await Expect(page.GetByLabel("Search people")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("main").FocusAsync();
        await page.Keyboard.PressAsync("?");
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out @ada" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/signin"));
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?returnUrl=%2F"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Wrong_password_shows_the_error_and_keeps_the_handle()
    {
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Handle").FillAsync("ben");
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("do not match");
        await Expect(page.GetByLabel("Handle")).ToHaveValueAsync("ben");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
        await Expect(page).ToHaveURLAsync(new Regex("/signin"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task Without_javascript_posting_and_reacting_still_work()
    {
        var page = await server.SignedInPageAsync("ben", javaScript: false);
        var marker = $"n{Guid.NewGuid():N}"[..10];

        await page.GetByLabel("Share something with your colleagues").FillAsync($"Plain form post {marker}");
        await page.Locator("#composer").GetByRole(AriaRole.Button, new() { Name = "Post" }).ClickAsync();
        var first = page.Locator("[data-feed] > article.post").First;
        await Expect(first).ToContainTextAsync(marker);

        await first.Locator(".reactions > button[data-reaction='like']").ClickAsync();
        first = page.Locator("[data-feed] > article.post").First;
        await Expect(first.Locator(".reactions > button[data-reaction='like']")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(first.Locator(".reactions > button[data-reaction='like'] .count")).ToHaveTextAsync("1");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Unknown_pages_get_the_friendly_error_page()
    {
        var page = await server.SignedInPageAsync("ada");
        var response = await page.GotoAsync("/posts/12345");
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("We could not find that page");
        await page.Context.CloseAsync();
    }

    /// <summary>Console errors include CSP violations, so an inline style or script slipping in fails the test.</summary>
    static List<string> WatchForPageErrors(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add(message.Text); };
        page.PageError += (_, error) => problems.Add(error);
        return problems;
    }

    static async Task SaveScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name), Animations = ScreenshotAnimations.Disabled });
    }
}
