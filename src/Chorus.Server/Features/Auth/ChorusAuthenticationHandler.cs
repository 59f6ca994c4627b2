using System.Security.Claims;
using Chorus.Server.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Features.Auth;

/// <summary>
/// One scheme for both doors: <c>Authorization: Bearer chorus_pat_…</c> for API clients and the
/// <c>chorus_session</c> cookie for the web UI. Both resolve to a row in credentials, so revoking either
/// (or deactivating the person) takes effect on the very next request.
/// <para>A plain <see cref="IAuthenticationHandler"/>, not ASP.NET Core's <c>AuthenticationHandler&lt;TOptions&gt;</c>: the
/// scheme has no options, events or forwarding, and the base class's per-request set-up (its options, a logger, five
/// services to construct the handler) was a sizeable part of authenticating a feed read (bench/findings.md,
/// twenty-second session). A request gets one instance (the handler provider keeps it), and authenticates once.</para>
/// </summary>
public sealed class ChorusAuthenticationHandler(IServiceScopeFactory scopes, IProblemDetailsService problems) : IAuthenticationHandler
{
    public const string SchemeName = "Chorus";
    public const string SessionCookie = "chorus_session";

    HttpContext _context = null!;
    Task<AuthenticateResult>? _result;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => _result ??= HandleAuthenticateAsync();

    async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (secret, kind, error) = ReadCredential(_context.Request);
        if (error is not null) return AuthenticateResult.Fail(error);
        if (secret is null) return AuthenticateResult.NoResult();
        var viewer = await ResolveAsync(_context, scopes, secret, kind);
        if (viewer is null) return AuthenticateResult.Fail("The credential is unknown, expired or revoked.");
        _context.Features.Set(viewer);
        return AuthenticateResult.Success(new AuthenticationTicket(Principals.GetValue(viewer, PrincipalOf), SchemeName));
    }

    /// <summary>
    /// One principal per resolved viewer, made on its first request: the credential cache hands out the same Viewer
    /// until the credential or the person changes, and building the claims on every request was ten objects a feed read.
    /// Read-only once made (nothing in Chorus adds identities or claims to a request's user), held as long as the Viewer.
    /// </summary>
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Viewer, ClaimsPrincipal> Principals = [];

    static ClaimsPrincipal PrincipalOf(Viewer viewer)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, viewer.Id.ToString()),
            new(ClaimTypes.Name, viewer.Handle),
            new("scope", viewer.CanWrite ? "read write" : "read"),
        };
        if (viewer.IsAdmin) claims.Add(new Claim(ClaimTypes.Role, "admin"));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }

    /// <summary>The request's credential: a bearer token, else the session cookie; Error when what was sent cannot be one.</summary>
    static (string? Secret, CredentialKind Kind, string? Error) ReadCredential(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return (null, CredentialKind.Token, "Only Bearer tokens are accepted.");
            return Checked(header["Bearer ".Length..].Trim(), CredentialKind.Token);
        }
        if (request.Cookies.TryGetValue(SessionCookie, out var cookie) && cookie.Length > 0) return Checked(cookie, CredentialKind.Session);
        return (null, CredentialKind.Token, null);

        static (string?, CredentialKind, string?) Checked(string secret, CredentialKind kind) =>
            secret.Length > 200 ? (null, kind, "Malformed credential.") : (secret, kind, null);
    }

    static async Task<Viewer?> ResolveAsync(HttpContext http, IServiceScopeFactory scopes, string secret, CredentialKind kind)
    {
        var hash = Secrets.Hash(secret);
        // Most requests come from someone signed in a moment ago: answered from memory, with no scope and no query.
        var cache = http.RequestServices.GetRequiredService<CredentialCache>();
        if (cache.TryGet(hash, kind, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime) is { } known) return known;
        // Its own short scope: the request then holds no DbContext unless its endpoint needs one — a live stream
        // stays open for hours and should keep nothing of the database alive (docs/benchmarks.md, memory per stream).
        Viewer? viewer;
        await using (var scope = scopes.CreateAsyncScope())
            viewer = await scope.ServiceProvider.GetRequiredService<CredentialService>().ResolveHashAsync(hash, kind, http.RequestAborted);
        if (viewer is null && kind == CredentialKind.Session) http.Response.Cookies.Delete(SessionCookie);
        return viewer;
    }

    /// <summary>
    /// The same credential check for an endpoint that runs without the authentication and authorization middleware
    /// (the live stream: see StreamingEndpoints). It keeps no principal, ticket or authentication result on the
    /// request, which an open stream would otherwise hold for hours. Null means "answer with
    /// <see cref="ChallengeAsync"/>".
    /// </summary>
    public static async Task<Viewer?> AuthenticateAsync(HttpContext http, IServiceScopeFactory scopes)
    {
        var (secret, kind, error) = ReadCredential(http.Request);
        return error is null && secret is not null ? await ResolveAsync(http, scopes, secret, kind) : null;
    }

    /// <summary>
    /// Drops the request's copy of its credential (the <c>Authorization</c> and <c>Cookie</c> headers and the parsed
    /// cookies) once it has been checked: a live stream stays open for hours, and should hold neither the secret nor
    /// the memory (docs/benchmarks.md, memory per idle stream).
    /// </summary>
    public static void ForgetCredential(HttpContext http)
    {
        http.Request.Headers.Authorization = default;
        http.Request.Headers.Cookie = default;
        http.Features.Set<Microsoft.AspNetCore.Http.Features.IRequestCookiesFeature>(null);
    }

    /// <summary>The 401 every API endpoint answers without a usable credential.</summary>
    public static async Task ChallengeAsync(HttpContext http, IProblemDetailsService problems)
    {
        http.Response.StatusCode = 401;
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"chorus\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = 401, Type = "urn:chorus:problem:unauthorized", Title = "Sign-in required.",
                Detail = "Send 'Authorization: Bearer <token>' with a valid, unrevoked personal access token.",
            },
        });
    }

    static bool IsApi(HttpRequest r) => r.Path.StartsWithSegments("/api");

    public async Task ChallengeAsync(AuthenticationProperties? properties)
    {
        if (!IsApi(_context.Request))
        {
            _context.Response.Redirect("/signin?returnUrl=" + Uri.EscapeDataString(_context.Request.Path + _context.Request.QueryString));
            return;
        }
        await ChallengeAsync(_context, problems);
    }

    public async Task ForbidAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = 403;
        if (!IsApi(_context.Request)) return;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = _context,
            ProblemDetails = new ProblemDetails
            {
                Status = 403, Type = "urn:chorus:problem:forbidden", Title = "You are not allowed to do this.",
                Detail = "This action needs a token with the 'write' scope, or a role you do not have.",
            },
        });
    }
}
