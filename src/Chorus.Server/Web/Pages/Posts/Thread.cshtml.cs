using Chorus.Server.Features.Notifications;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Chorus.Server.Web.Pages.Posts;

/// <summary>
/// A conversation, and the handlers behind every post card's buttons (react, share, edit, delete), so that all of
/// them work as plain form posts. Each handler returns to the page the form came from.
/// </summary>
[EnableRateLimiting(RateLimits.Posting)]
public sealed class ThreadModel(PostQueries queries, PostService posts, NotificationService notifications, Features.PostTypes.PostTypeAccess postTypes,
    Features.PostTypes.AnnouncementService announcements) : ChorusPageModel
{
    const int MaxIndent = 4;

    public ThreadDto Thread { get; private set; } = null!;
    public string Focus { get; private set; } = "";
    public string FocusAuthor { get; private set; } = "";
    public string? Text { get; private set; }
    /// <summary>Whether the viewer muted this conversation's notifications.</summary>
    public bool Muted { get; private set; }
    /// <summary>For a question: whether the viewer (its asker or a group admin) may choose the best answer.</summary>
    public bool CanChooseBest { get; private set; }
    /// <summary>For a question: the reply chosen as its best answer.</summary>
    public string? BestAnswerId { get; private set; }
    Dictionary<string, PostDto> byId = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        // Opening an announcement is seeing it: the first visit of each reader counts in "seen by" (the author's own
        // visits do not). The page then shows the count with this reader in it.
        if (Thread.Root is { Kind: PostKinds.Announcement, Details: Features.PostTypes.AnnouncementDetails { SeenByMe: false } }
            && Thread.Root.Author.Id != Viewer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && (await announcements.MarkSeenAsync(Viewer, Thread.Root.Id, ct)).Ok)
            await LoadAsync(id, ct);
        return Page();
    }

    /// <summary>One rendered card, for the composer script to insert after posting through the API.</summary>
    public async Task<IActionResult> OnGetCardAsync(string id, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok || await queries.GetAsync(Viewer, parsed.Value, ct) is not { } post) return NotFound();
        return Partial("_PostCard", new PostCardView(post, post.ReplyTo is null ? 0 : 1));
    }

    public async Task<IActionResult> OnPostReplyAsync(string id, string? text, CancellationToken ct)
    {
        var outcome = await posts.CreateAsync(Viewer, new CreatePostRequest(text, id), ct);
        if (outcome.Ok) return LocalRedirect($"/posts/{id}#post-{outcome.Value!.Id}");
        if (!await LoadAsync(id, ct)) return NotFound();
        Show(outcome.Problem!);
        Text = text;
        Response.StatusCode = outcome.Problem!.Status;
        return Page();
    }

    /// <summary>The pressed button's value says what to do: "+like" adds the reaction, "-like" takes it back.</summary>
    public async Task<IActionResult> OnPostReactAsync(string id, string? reaction, string? returnUrl, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return NotFound();
        var add = reaction is not ['-', ..];
        var kind = reaction?.TrimStart('+', '-');
        var outcome = await posts.ReactAsync(Viewer, parsed.Value, kind, add, ct);
        return outcome.Ok ? Back(returnUrl, $"/posts/{id}") : await FailAsync(id, outcome.Problem!, ct);
    }

    public async Task<IActionResult> OnPostShareAsync(string id, string? comment, string? returnUrl, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return NotFound();
        var outcome = await posts.ShareAsync(Viewer, parsed.Value, new SharePostRequest(string.IsNullOrWhiteSpace(comment) ? null : comment), ct);
        return outcome.Ok ? Back(returnUrl, $"/posts/{outcome.Value!.Id}") : await FailAsync(id, outcome.Problem!, ct);
    }

    public async Task<IActionResult> OnPostEditAsync(string id, string? text, string? returnUrl, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return NotFound();
        var outcome = await posts.EditAsync(Viewer, parsed.Value, new EditPostRequest(text), ct);
        return outcome.Ok ? Back(returnUrl, $"/posts/{id}") : await FailAsync(id, outcome.Problem!, ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(string id, string? returnUrl, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return NotFound();
        var outcome = await posts.DeleteAsync(Viewer, parsed.Value, ct);
        return outcome.Ok ? Back(returnUrl, "/") : await FailAsync(id, outcome.Problem!, ct);
    }

    public async Task<IActionResult> OnPostMuteAsync(string id, bool mute, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok) return NotFound();
        var outcome = await notifications.MuteAsync(Viewer, parsed.Value, mute, ct);
        return outcome.Ok ? LocalRedirect($"/posts/{id}") : await FailAsync(id, outcome.Problem!, ct);
    }

    public int Depth(PostDto reply)
    {
        var depth = 0;
        for (var p = reply; p.ReplyTo is { } parent && depth < MaxIndent && byId.TryGetValue(parent, out var up); p = up) depth++;
        return Math.Max(1, depth);
    }

    /// <summary>A refused action shows the conversation with the reason at the reply box.</summary>
    async Task<IActionResult> FailAsync(string id, Problem problem, CancellationToken ct)
    {
        if (problem.Status == 404 || !await LoadAsync(id, ct)) return NotFound();
        Show(problem);
        Response.StatusCode = problem.Status;
        return Page();
    }

    async Task<bool> LoadAsync(string id, CancellationToken ct)
    {
        var parsed = PostQueries.ParseId(id);
        if (!parsed.Ok || await queries.ThreadAsync(Viewer, parsed.Value, ct) is not { } thread) return false;
        Thread = thread;
        byId = thread.Replies.Append(thread.Root).ToDictionary(p => p.Id);
        Focus = thread.Focus is { } f && byId.ContainsKey(f) ? f : thread.Root.Id;
        FocusAuthor = byId[Focus].Author.DisplayName;
        Muted = await notifications.IsMutedAsync(Viewer, long.Parse(thread.Root.RootId, System.Globalization.CultureInfo.InvariantCulture), ct);
        if (thread.Root is { Kind: PostKinds.Question, Details: Features.PostTypes.QuestionDetails question })
        {
            BestAnswerId = question.BestAnswerId;
            var groupId = thread.Root.Group is { } g ? long.Parse(g.Id, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
            CanChooseBest = thread.Root.Author.Id == Viewer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
                            || await postTypes.CanManageAsync(Viewer, groupId, ct);
        }
        return true;
    }
}
