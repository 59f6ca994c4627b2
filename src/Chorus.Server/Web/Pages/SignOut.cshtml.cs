using Chorus.Server.Features.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages;

/// <summary>Sign-out is a POST so that a link or an image elsewhere cannot sign anyone out.</summary>
public sealed class SignOutModel(CredentialService credentials) : ChorusPageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await credentials.RevokeAsync(Viewer.Id, Viewer.CredentialId, ct);
        Response.Cookies.Delete(ChorusAuthenticationHandler.SessionCookie, new CookieOptions { Path = "/" });
        return LocalRedirect("/signin");
    }
}
