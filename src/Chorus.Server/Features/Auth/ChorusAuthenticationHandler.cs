using System.Security.Claims;
using System.Text.Encodings.Web;
using Chorus.Server.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Chorus.Server.Features.Auth;

/// <summary>
/// One scheme for both doors: <c>Authorization: Bearer chorus_pat_…</c> for API clients and the
/// <c>chorus_session</c> cookie for the web UI. Both resolve to a row in credentials, so revoking either
/// (or deactivating the person) takes effect on the very next request.
/// </summary>
public sealed class ChorusAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IServiceScopeFactory scopes, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Chorus";
    public const string SessionCookie = "chorus_session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? secret = null;
        var kind = CredentialKind.Token;
        var header = Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return AuthenticateResult.Fail("Only Bearer tokens are accepted.");
            secret = header["Bearer ".Length..].Trim();
        }
        else if (Request.Cookies.TryGetValue(SessionCookie, out var cookie) && cookie.Length > 0)
        {
            secret = cookie;
            kind = CredentialKind.Session;
        }
        if (secret is null) return AuthenticateResult.NoResult();
        if (secret.Length > 200) return AuthenticateResult.Fail("Malformed credential.");

        // Its own short scope: the request then holds no DbContext unless its endpoint needs one — a live stream
        // stays open for hours and should keep nothing of the database alive (docs/benchmarks.md, memory per stream).
        Viewer? viewer;
        await using (var scope = scopes.CreateAsyncScope())
            viewer = await scope.ServiceProvider.GetRequiredService<CredentialService>().ResolveAsync(secret, kind, Context.RequestAborted);
        if (viewer is null)
        {
            if (kind == CredentialKind.Session) Response.Cookies.Delete(SessionCookie);
            return AuthenticateResult.Fail("The credential is unknown, expired or revoked.");
        }
        Context.Features.Set(viewer);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, viewer.Id.ToString()),
            new(ClaimTypes.Name, viewer.Handle),
            new("scope", viewer.CanWrite ? "read write" : "read"),
        };
        if (viewer.IsAdmin) claims.Add(new Claim(ClaimTypes.Role, "admin"));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    static bool IsApi(HttpRequest r) => r.Path.StartsWithSegments("/api");

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (!IsApi(Request))
        {
            Response.Redirect("/signin?returnUrl=" + Uri.EscapeDataString(Request.Path + Request.QueryString));
            return;
        }
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"chorus\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 401, Type = "urn:chorus:problem:unauthorized", Title = "Sign-in required.",
                Detail = "Send 'Authorization: Bearer <token>' with a valid, unrevoked personal access token.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 403;
        if (!IsApi(Request)) return;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 403, Type = "urn:chorus:problem:forbidden", Title = "You are not allowed to do this.",
                Detail = "This action needs a token with the 'write' scope, or a role you do not have.",
            },
        });
    }
}
