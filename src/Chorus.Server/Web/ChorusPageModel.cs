using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Chorus.Server.Web;

/// <summary>Base of the signed-in pages: the viewer, a place for one error message, and the safe way back after a form post.</summary>
public abstract class ChorusPageModel : PageModel
{
    /// <summary>Every page but sign-in, setup and error requires sign-in (see ServerSetup), so the viewer is there.</summary>
    public Viewer Viewer => HttpContext.Features.Get<Viewer>()!;

    public string? Error { get; set; }

    protected void Show(Problem problem) => Error = Display.Describe(problem);

    protected IActionResult Back(string? returnUrl, string fallback) =>
        LocalRedirect(Display.IsLocal(returnUrl) ? returnUrl! : fallback);
}
