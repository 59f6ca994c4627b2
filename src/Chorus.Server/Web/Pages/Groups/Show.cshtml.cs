using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
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
    Features.PostTypes.QuestionService questions, Features.PostTypes.AnnouncementService announcements) : ChorusPageModel
{
    public GroupDto Group { get; private set; } = null!;
    public Page<PostDto> Feed { get; private set; } = new([], null);
    public string? Text { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, string? cursor, CancellationToken ct) =>
        await LoadAsync(id, cursor, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostPostAsync(string id, string? text, CancellationToken ct)
    {
        var outcome = await posts.CreateAsync(Viewer, new CreatePostRequest(text, null, id), ct);
        if (outcome.Ok) return LocalRedirect($"/groups/{id}#post-{outcome.Value!.Id}");
        if (!await LoadAsync(id, null, ct)) return NotFound();
        Show(outcome.Problem!);
        Text = text;
        Response.StatusCode = outcome.Problem!.Status;
        return Page();
    }

    /// <summary>A question or (group admins) an announcement, from the plain forms under the composer.</summary>
    public async Task<IActionResult> OnPostKindAsync(string id, string? kind, string? text, CancellationToken ct)
    {
        var outcome = kind == PostKinds.Announcement
            ? await announcements.CreateAsync(Viewer, id, new Features.PostTypes.CreateAnnouncementRequest(text), ct)
            : await questions.CreateAsync(Viewer, id, new Features.PostTypes.CreateQuestionRequest(text), ct);
        if (outcome.Ok) return LocalRedirect($"/groups/{id}#post-{outcome.Value!.Id}");
        if (!await LoadAsync(id, null, ct)) return NotFound();
        Show(outcome.Problem!);
        Response.StatusCode = outcome.Problem!.Status;
        return Page();
    }

    public Task<IActionResult> OnPostJoinAsync(string id, CancellationToken ct) =>
        ActAsync(id, async context => (await members.JoinAsync(Viewer, context, ct)).Problem, ct);

    /// <summary>The member's own switch for this group's posts in their home feed (the membership's showInHome).</summary>
    public Task<IActionResult> OnPostHomeAsync(string id, bool show, CancellationToken ct) =>
        ActAsync(id, async context => (await members.UpdateAsync(Viewer, context, Viewer.Handle, new UpdateMemberRequest(ShowInHome: show), ct)).Problem, ct);

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
