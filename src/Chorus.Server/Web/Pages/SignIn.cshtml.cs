using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Chorus.Server.Web.Pages;

[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SignInModel(CredentialService credentials, ChorusSettings settings) : PageModel
{
    public string? Handle { get; private set; }
    public string? Error { get; private set; }
    public string ReturnUrl { get; private set; } = "/";

    public IActionResult OnGet(string? returnUrl)
    {
        ReturnUrl = Display.IsLocal(returnUrl) ? returnUrl! : "/";
        if (HttpContext.Features.Get<Viewer>() is not null) return LocalRedirect(ReturnUrl);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? handle, string? password, string? returnUrl, CancellationToken ct)
    {
        Handle = handle?.Trim();
        ReturnUrl = Display.IsLocal(returnUrl) ? returnUrl! : "/";
        var outcome = await credentials.CheckPasswordAsync(Handle, password, ct);
        if (!outcome.Ok)
        {
            var p = outcome.Problem!;
            Error = p.Kind switch
            {
                "validation" => "Enter your handle and your password.",
                "invalid-credentials" => "That handle and password do not match. Check them and try again.",
                _ => p.Detail is null ? p.Title : $"{p.Title} {p.Detail}",
            };
            Response.StatusCode = p.Status == 429 ? 429 : 200;
            return Page();
        }
        var secret = await credentials.CreateSessionAsync(outcome.Value!, Request.Headers.UserAgent.ToString(), ct);
        Response.Cookies.Append(ChorusAuthenticationHandler.SessionCookie, secret, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = Request.IsHttps,
            Path = "/",
            Expires = DateTimeOffset.UtcNow.AddDays(Math.Min(30, settings.Security.SessionDays)),
            IsEssential = true,
        });
        return LocalRedirect(ReturnUrl);
    }
}
