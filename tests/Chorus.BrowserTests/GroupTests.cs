using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// <summary>
/// A community end to end in two browsers: ada creates a private group and invites ben on its members page; ben
/// accepts the invitation in the group directory and, on the group page, sees ada's announcement arrive live; ada asks a question, ben answers in the thread, ada marks his
/// reply the best answer in the thread, and the thread shows it.
/// </summary>
public sealed class GroupTests(ServerFixture server)
{
    static readonly string Screenshots = Path.Combine(ServerFixture.RepoRoot, "docs", "screenshots");

    [Fact]
    public async Task A_private_group_announcement_arrives_live_and_a_question_gets_its_best_answer()
    {
        var ada = await server.SignedInPageAsync("ada");
        var name = $"Launch crew {Guid.NewGuid():N}"[..20];
        await ada.GotoAsync("/groups");
        await ada.GetByLabel("Name").FillAsync(name);
        await ada.GetByLabel("What is it for?").FillAsync("Everything about the spring launch.");
        await ada.Locator("input[name=kind][value=private]").CheckAsync();
        await ada.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(ada.Locator("#group-name")).ToContainTextAsync(name);
        var groupUrl = new Uri(ada.Url).AbsolutePath;
        var groupId = groupUrl.Split('/')[^1];

        await ada.GetByRole(AriaRole.Link, new() { Name = "Members" }).ClickAsync();
        await ada.GetByLabel("Add people by handle").FillAsync("ben");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Invite", Exact = true }).ClickAsync();
        await Expect(ada.Locator("main")).ToContainTextAsync("Invited (1)");

        var ben = await server.SignedInPageAsync("ben");
        await ben.GotoAsync("/groups");
        var invitation = ben.Locator("li").Filter(new() { HasText = name });
        await invitation.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await ben.GotoAsync(groupUrl);
        await Expect(ben.Locator("#group-name")).ToContainTextAsync(name);
        await Expect(ben.Locator("main")).ToContainTextAsync("you are a member");

        var announcement = $"Launch date is fixed {Guid.NewGuid():N}"[..34];
        await ada.GotoAsync(groupUrl);
        await ada.Locator("#new-question > summary").ClickAsync();
        await ada.GetByLabel("Your question or announcement").FillAsync(announcement);
        await ada.GetByRole(AriaRole.Button, new() { Name = "Announce to all members" }).ClickAsync();
        var announcementCard = ada.Locator("article.post").Filter(new() { HasText = announcement });
        var announcementId = (await announcementCard.First.GetAttributeAsync("data-post-id"))!;
        await ben.Locator(".live-pill").ClickAsync();
        var card = ben.Locator($"article[data-post-id='{announcementId}']");
        await Expect(card).ToContainTextAsync(announcement);
        Directory.CreateDirectory(Screenshots);
        await ben.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "group.png"), Animations = ScreenshotAnimations.Disabled });

        await ada.Locator("#new-question > summary").ClickAsync();
        await ada.GetByLabel("Your question or announcement").FillAsync("Which venue do we book?");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Ask question" }).ClickAsync();
        var questionId = (await ada.Locator("article.post").Filter(new() { HasText = "Which venue do we book?" }).First.GetAttributeAsync("data-post-id"))!;
        await ben.GotoAsync($"/posts/{questionId}");
        await ben.GetByLabel(new System.Text.RegularExpressions.Regex("^Reply to")).FillAsync("The harbour hall: it fits 300.");
        await ben.Locator("#reply-form").GetByRole(AriaRole.Button, new() { Name = "Reply" }).ClickAsync();
        var replyCard = ben.Locator("[data-replies] article.post").Filter(new() { HasText = "harbour hall" });
        await Expect(replyCard).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("pending"));

        await ada.GotoAsync($"/posts/{questionId}");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Mark as best answer" }).First.ClickAsync();
        await Expect(ada.Locator(".best-answer-label")).ToHaveTextAsync("✓ Best answer");
        var details = await ApiAsync(ada, "GET", $"/api/v1/posts/{questionId}", null);
        Assert.True(details.GetProperty("details").GetProperty("answered").GetBoolean());

        await ada.GotoAsync("/groups");
        await ada.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "groups.png"), Animations = ScreenshotAnimations.Disabled });
        await ada.Context.CloseAsync();
        await ben.Context.CloseAsync();
    }

    /// <summary>Calls the API from the page, as its own scripts do: session cookie plus the anti-forgery header.</summary>
    static async Task<JsonElement> ApiAsync(IPage page, string method, string url, object? body)
    {
        var json = await page.EvaluateAsync<string>(@"async ([method, url, body]) => {
            const csrf = document.querySelector('meta[name=""csrf-token""]')?.content ?? '';
            const init = { method, headers: { RequestVerificationToken: csrf, Accept: 'application/json' }, credentials: 'same-origin' };
            if (body !== null) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
            const response = await fetch(url, init);
            const text = await response.text();
            if (!response.ok) throw new Error(response.status + ' ' + text);
            return text;
        }", new object?[] { method, url, body });
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
