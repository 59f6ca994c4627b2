using Chorus.Server.Features.PostTypes;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.PostTypes;

/// <summary>
/// The form posts behind the post-type controls on a card (vote, RSVP, mark seen, pin), so they work without
/// scripts. Each goes back to the page it came from; a refusal shows its reason with a way back.
/// </summary>
public sealed class ActModel(PollService polls, EventService events, AnnouncementService announcements, QuestionService questions) : ChorusPageModel
{
    public string ReturnUrl { get; private set; } = "/";

    public IActionResult OnGet(string id) => LocalRedirect($"/posts/{id}");

    public async Task<IActionResult> OnPostVoteAsync(string id, int[]? options, bool replace, string? returnUrl, CancellationToken ct) =>
        Done(await polls.VoteAsync(Viewer, id, new VoteRequest(options ?? []), replace, ct), id, returnUrl);

    public async Task<IActionResult> OnPostRsvpAsync(string id, string? answer, string? returnUrl, CancellationToken ct) =>
        Done(await events.RsvpAsync(Viewer, id, new RsvpRequest(answer), ct), id, returnUrl);

    public async Task<IActionResult> OnPostSeenAsync(string id, string? returnUrl, CancellationToken ct) =>
        Done(await announcements.MarkSeenAsync(Viewer, id, ct), id, returnUrl);

    public async Task<IActionResult> OnPostPinAsync(string id, bool pin, string? returnUrl, CancellationToken ct) =>
        Done(await announcements.PinAsync(Viewer, id, pin, ct), id, returnUrl);

    public async Task<IActionResult> OnPostBestAnswerAsync(string id, string? replyId, bool set, string? returnUrl, CancellationToken ct) =>
        Done(await questions.SetBestAnswerAsync(Viewer, id, new BestAnswerRequest(replyId), set, ct), id, returnUrl);

    IActionResult Done<T>(Outcome<T> outcome, string id, string? returnUrl)
    {
        if (outcome.Ok) return Back(returnUrl, $"/posts/{id}");
        if (outcome.Problem!.Status == 404) return NotFound();
        Show(outcome.Problem);
        ReturnUrl = Display.IsLocal(returnUrl) ? returnUrl! : $"/posts/{id}";
        Response.StatusCode = outcome.Problem.Status;
        return Page();
    }
}
