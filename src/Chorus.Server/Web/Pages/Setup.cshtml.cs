using Chorus.Server.Features.Admin;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Chorus.Server.Web.Pages;

/// <summary>The one-time first-admin form behind the setup link the server logs while no admin exists.</summary>
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SetupModel(SetupService setup) : PageModel
{
    public bool Valid { get; private set; }
    public string? Token { get; private set; }
    public string? Error { get; private set; }
    public string? DisplayName { get; private set; }
    public string? Handle { get; private set; }
    public string? Email { get; private set; }

    public async Task OnGetAsync(string? token, CancellationToken ct)
    {
        Token = token;
        Valid = await setup.IsValidAsync(token, ct);
        if (!Valid) Response.StatusCode = StatusCodes.Status403Forbidden;
        // The secret is in the address: keep it out of caches and other sites' referrer logs.
        Response.Headers.CacheControl = "no-store";
    }

    public async Task<IActionResult> OnPostAsync(string? token, string? displayName, string? handle, string? email, string? password, CancellationToken ct)
    {
        (Token, DisplayName, Handle, Email) = (token, displayName, handle, email);
        var outcome = await setup.CompleteAsync(token, new NewPerson(handle, displayName, email, Password: password), ct);
        if (outcome.Ok) return LocalRedirect("/signin?returnUrl=%2Fsettings");
        Valid = await setup.IsValidAsync(token, ct);
        var p = outcome.Problem!;
        Error = Display.Describe(p);
        Response.StatusCode = p.Status;
        return Page();
    }
}
