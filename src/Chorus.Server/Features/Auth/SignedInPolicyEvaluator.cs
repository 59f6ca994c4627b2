using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Chorus.Server.Features.Auth;

/// <summary>
/// The authorization middleware's evaluator. Chorus has one authorization policy, "someone signed in"
/// (<c>RequireAuthorization()</c> on the API and the pages); every finer rule is checked by the endpoint itself. A
/// request signed in by <see cref="ChorusAuthenticationHandler"/> meets that policy, and is answered here from the
/// authentication result the middleware already holds, with no per-request evaluator, authorization service or handler
/// context (they were about a third of authenticating and authorizing a warm feed read: bench/findings.md,
/// twenty-second session). Everything else — another policy, a policy with schemes of its own, anyone not signed in —
/// goes to ASP.NET Core's own evaluator, which therefore decides every challenge and refusal. The shortcut holds only
/// while no authorization handler but the framework's pass-through one is registered (a test checks): a handler that
/// could refuse a signed-in person would be skipped by it.
/// </summary>
public sealed class SignedInPolicyEvaluator : IPolicyEvaluator
{
    static readonly Task<PolicyAuthorizationResult> Allowed = Task.FromResult(PolicyAuthorizationResult.Success());

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context) =>
        SignedIn(policy, context) is { } result ? Task.FromResult(result) : Framework(context).AuthenticateAsync(policy, context);

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource) =>
        // The result handed back is the middleware's successful one (AuthenticateAsync above), so it says who signed in.
        OnlySignedIn(policy) && SignedIn(policy, context) is { } signedIn && ReferenceEquals(signedIn, authenticationResult)
            ? Allowed
            : Framework(context).AuthorizeAsync(policy, authenticationResult, context, resource);

    /// <summary>The authentication middleware's successful result for the request's user, when the policy names no
    /// schemes of its own (it would then authenticate with those).</summary>
    static AuthenticateResult? SignedIn(AuthorizationPolicy policy, HttpContext context) =>
        policy.AuthenticationSchemes.Count == 0 &&
        context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true } result &&
        ReferenceEquals(result.Principal, context.User) && context.User.Identity?.IsAuthenticated == true
            ? result
            : null;

    /// <summary>The policy asks only that the user be authenticated.</summary>
    static bool OnlySignedIn(AuthorizationPolicy policy) =>
        policy.Requirements.Count == 1 && policy.Requirements[0] is DenyAnonymousAuthorizationRequirement;

    static PolicyEvaluator Framework(HttpContext context) => context.RequestServices.GetRequiredService<PolicyEvaluator>();
}
