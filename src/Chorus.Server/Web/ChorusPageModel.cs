using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Chorus.Server.Features.Realtime;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Chorus.Server.Web;

/// <summary>Base of the signed-in pages: the viewer, a place for one error message, and the safe way back after a form post.</summary>
public abstract class ChorusPageModel : PageModel
{
    /// <summary>Every page but sign-in, setup and error requires sign-in (see ServerSetup), so the viewer is there.</summary>
    public Viewer Viewer => HttpContext.Features.Get<Viewer>()!;

    public string? Error { get; set; }

    /// <summary>
    /// The last dispatched stream event before this page read its data. The page's live script resumes the stream from
    /// here, so whatever happens between rendering and connecting still arrives (at worst twice, which it ignores).
    /// </summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        // Guests see their groups and nothing of the organization: the company stream, the directory, profiles and
        // topic pages send them to their groups (the API fences them the same way, see GuestFence).
        if (HttpContext.Features.Get<Viewer>() is { IsGuest: true } guest && IsOrganizationPage(HttpContext.Request.Path, guest))
        {
            context.Result = LocalRedirect("/groups");
            return;
        }
        HttpContext.Items[LiveSinceKey] = HttpContext.RequestServices.GetRequiredService<StreamHub>().DispatchedSeq;
    }

    static bool IsOrganizationPage(PathString path, Viewer guest) =>
        path.StartsWithSegments("/company") || path.StartsWithSegments("/topics") ||
        (path.StartsWithSegments("/people") && !path.Equals("/people/" + guest.Handle, StringComparison.OrdinalIgnoreCase));

    public const string LiveSinceKey = "chorus.live-since";

    /// <summary>The problem behind <see cref="Error"/>, kept so a form can show each field's message next to that field.</summary>
    public Problem? Shown { get; private set; }

    protected void Show(Problem problem)
    {
        Shown = problem;
        Error = Display.Describe(problem);
    }

    /// <summary>The message for one form field, when the problem names it.</summary>
    public string? ErrorFor(string field) =>
        Shown?.Errors is { } errors && errors.TryGetValue(field, out var messages) ? Display.Describe(field, messages) : null;

    /// <summary>Whether the problem names one of these fields, so the form shows it there rather than above the form.</summary>
    public bool IsAbout(params string[] fields) => Shown?.Errors is { } errors && errors.Keys.Any(fields.Contains);

    protected IActionResult Back(string? returnUrl, string fallback) =>
        LocalRedirect(Display.IsLocal(returnUrl) ? returnUrl! : fallback);
}
