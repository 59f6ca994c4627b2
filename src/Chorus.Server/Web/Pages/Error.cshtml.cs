using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Chorus.Server.Web.Pages;

/// <summary>
/// The friendly page for failed web requests (re-executed by the status-code and exception middleware for non-API
/// paths). It answers any method, and takes no form, so it skips anti-forgery.
/// </summary>
[IgnoreAntiforgeryToken]
[ResponseCache(NoStore = true)]
public sealed class ErrorModel : PageModel
{
    public int Code { get; private set; }
    public string Title { get; private set; } = "";
    public string Advice { get; private set; } = "";

    public void OnGet(int? code) => Describe(code);
    public void OnPost(int? code) => Describe(code);

    void Describe(int? code)
    {
        var failed = HttpContext.Features.Get<IExceptionHandlerPathFeature>() is not null;
        Code = failed ? 500 : code is >= 400 and <= 599 ? code.Value : 404;
        (Title, Advice) = Code switch
        {
            400 => ("That request did not work", "The form may have expired. Go back, reload the page and try again."),
            403 => ("You cannot open this", "Your account does not have access to this page. If you think it should, ask an admin."),
            404 => ("We could not find that page", "The link may be old, or the post may have been deleted."),
            429 => ("Slow down a little", "Too many requests in a short time. Wait a minute and try again."),
            >= 500 => ("Something went wrong on our side", "It is not your fault. Try again in a moment; if it keeps happening, tell an admin."),
            _ => ("That did not work", "Go back and try again."),
        };
        // Re-executed requests keep the original status; a direct visit to /Error shows the page as a 404.
        if (HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is null && !failed) Response.StatusCode = Code;
    }
}
