using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Features.PostTypes;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Chorus.Server.Web.Pages.Groups;

/// <summary>
/// A group's landing page: its header with the viewer's join/leave controls, tabs to its pages, and its feed with a
/// composer for members. People outside a private group see what it is and how to ask to join, never its posts;
/// a secret group is 404 to them.
/// </summary>
[EnableRateLimiting(RateLimits.Posting)]
public sealed class ShowModel(GroupService groups, MembershipService members, FeedService feeds, PostService posts,
    QuestionService questions, AnnouncementService announcements) : ChorusPageModel
{
    public GroupDto Group { get; private set; } = null!;
    public Page<PostDto> Feed { get; private set; } = new([], null);
    public string? Text { get; private set; }
    public string? KindText { get; private set; }
    public PollDraft PollDraft { get; private set; } = new();
    public CreateEventRequest EventDraft { get; private set; } = new(null, null, null, null);
    public PraiseDraft PraiseDraft { get; private set; } = new();
    /// <summary>The form whose post was refused ("post", "kind", "poll", "event", "praise"): its error shows in it, and it stays open.</summary>
    public string? Failed { get; private set; }
    /// <summary>A form to open on arrival (?compose=event from the events tab's empty state).</summary>
    public string? Compose { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, string? cursor, string? compose, CancellationToken ct)
    {
        Compose = compose;
        return await LoadAsync(id, cursor, ct) ? Page() : NotFound();
    }

    /// <summary>The error for one field of one form, when that form was refused for it.</summary>
    public string? ErrorIn(string form, string field) => Failed == form ? ErrorFor(field) : null;

    /// <summary>The error to show at the top of a refused form: whatever names none of its fields.</summary>
    public string? FormError(string form, params string[] fields) => Failed == form && !IsAbout(fields) ? Error : null;

    public bool IsOpen(string form) => Failed == form || Compose == form;

    public async Task<IActionResult> OnPostPostAsync(string id, string? text, CancellationToken ct)
    {
        Text = text;
        return await CreatedAsync(id, "post", await posts.CreateAsync(Viewer, new CreatePostRequest(text, null, id), ct), ct);
    }

    /// <summary>A question or (group admins) an announcement, from the plain forms under the composer.</summary>
    public async Task<IActionResult> OnPostKindAsync(string id, string? kind, string? text, CancellationToken ct)
    {
        KindText = text;
        var outcome = kind == PostKinds.Announcement
            ? await announcements.CreateAsync(Viewer, id, new CreateAnnouncementRequest(text), ct)
            : await questions.CreateAsync(Viewer, id, new CreateQuestionRequest(text), ct);
        return await CreatedAsync(id, "kind", outcome, ct);
    }

    // The post-type services come per handler, so the page's constructor stays at what every request needs.

    public async Task<IActionResult> OnPostPollAsync(string id, string? text, string?[]? options, bool multiple, string? closesAt, string? closesZone,
        [FromServices] PollService polls, CancellationToken ct)
    {
        PollDraft = new PollDraft(text, options ?? [], multiple, closesAt, closesZone);
        var closes = PollDraft.ClosingTime();
        var outcome = closes.Ok
            ? await polls.CreateAsync(Viewer, id, new CreatePollRequest(text, PollDraft.Filled, multiple, closes.Value), ct)
            : closes.Problem!;
        return await CreatedAsync(id, "poll", outcome, ct);
    }

    public async Task<IActionResult> OnPostEventAsync(string id, string? title, string? start, string? end, string? timeZone, string? place,
        string? onlineUrl, string? description, [FromServices] EventService events, CancellationToken ct)
    {
        EventDraft = new CreateEventRequest(title, start, end, timeZone, place, onlineUrl, description);
        return await CreatedAsync(id, "event", await events.CreateAsync(Viewer, id, EventDraft, ct), ct);
    }

    public async Task<IActionResult> OnPostPraiseAsync(string id, string? recipients, string? badge, string? text,
        [FromServices] PraiseService praise, CancellationToken ct)
    {
        PraiseDraft = new PraiseDraft(text, recipients, badge);
        return await CreatedAsync(id, "praise", await praise.CreateAsync(Viewer, id, new CreatePraiseRequest(text, PraiseDraft.Handles, badge), ct), ct);
    }

    /// <summary>To the new post on success; otherwise the page again, the refused form open with its error and everything typed.</summary>
    async Task<IActionResult> CreatedAsync(string id, string form, Outcome<Data.Post> outcome, CancellationToken ct)
    {
        if (outcome.Ok) return LocalRedirect($"/groups/{id}#post-{outcome.Value!.Id}");
        if (!await LoadAsync(id, null, ct)) return NotFound();
        Failed = form;
        Show(outcome.Problem!);
        Response.StatusCode = outcome.Problem!.Status;
        return Page();
    }

    /// <summary>The member's own switch for this group's posts in their home feed (the membership's showInHome).</summary>
    public Task<IActionResult> OnPostHomeAsync(string id, bool show, CancellationToken ct) =>
        ActAsync(id, async context => (await members.UpdateAsync(Viewer, context, Viewer.Handle, new UpdateMemberRequest(ShowInHome: show), ct)).Problem, ct);

    /// <summary>Join a public group, ask to join a private one, or accept an invitation.</summary>
    public Task<IActionResult> OnPostJoinAsync(string id, CancellationToken ct) =>
        ActAsync(id, async context => (await members.JoinAsync(Viewer, context, ct)).Problem, ct);

    public Task<IActionResult> OnPostLeaveAsync(string id, CancellationToken ct) =>
        ActAsync(id, async context => (await members.LeaveAsync(Viewer, context, ct)).Problem, ct);

    async Task<IActionResult> ActAsync(string id, Func<GroupContext, Task<Problem?>> act, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return NotFound();
        var problem = await act(context.Value!);
        if (problem is null)
            return (await groups.FindAsync(Viewer, id, ct)).Ok ? LocalRedirect($"/groups/{id}") : LocalRedirect("/groups");
        if (!await LoadAsync(id, null, ct)) return NotFound();
        Show(problem);
        Response.StatusCode = problem.Status;
        return Page();
    }

    async Task<bool> LoadAsync(string id, string? cursor, CancellationToken ct)
    {
        var context = await groups.FindAsync(Viewer, id, ct);
        if (!context.Ok) return false;
        Group = (await groups.RenderAsync(Viewer, [context.Value!], ct))[0];
        if (Group.CanRead)
        {
            var page = await feeds.GroupAsync(Viewer, context.Value!.Group, cursor, null, ct);
            if (page.Ok) Feed = page.Value!;
        }
        return true;
    }
}
