using System.Security.Claims;
using Chorus.Server.Features.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Auth;

/// <summary>
/// The evaluator answers "someone signed in" from the authentication middleware's result, and leaves everything else to
/// ASP.NET Core's evaluator; its answers must be the framework's in every case (the API's 401s and the pages' redirects
/// are covered end to end by the endpoint tests).
/// </summary>
public sealed class SignedInPolicyEvaluatorTests(Servers servers)
{
    static readonly IServiceProvider Services = new ServiceCollection().AddLogging().AddAuthorization()
        .AddTransient<PolicyEvaluator>().BuildServiceProvider();

    static readonly AuthorizationPolicy SignedIn = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();

    /// <summary>A request as the authentication middleware leaves it: the user, and the result when it succeeded.</summary>
    static HttpContext Request(bool signedIn, params string[] roles)
    {
        var http = new DefaultHttpContext { RequestServices = Services };
        if (!signedIn) return http;
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, "7") };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        http.User = new ClaimsPrincipal(new ClaimsIdentity(claims, ChorusAuthenticationHandler.SchemeName));
        var result = AuthenticateResult.Success(new AuthenticationTicket(http.User, ChorusAuthenticationHandler.SchemeName));
        http.Features.Set<IAuthenticateResultFeature>(new Feature { AuthenticateResult = result });
        return http;
    }

    sealed class Feature : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; }
    }

    static async Task<(AuthenticateResult Authenticated, PolicyAuthorizationResult Authorized)> EvaluateAsync(IPolicyEvaluator evaluator, AuthorizationPolicy policy, HttpContext http)
    {
        var authenticated = await evaluator.AuthenticateAsync(policy, http);
        return (authenticated, await evaluator.AuthorizeAsync(policy, authenticated, http, http));
    }

    public static TheoryData<string> Cases => ["signed in", "anonymous", "signed in, admin policy", "admin, admin policy", "anonymous, admin policy", "signed in, no result"];

    [Theory, MemberData(nameof(Cases))]
    public async Task Answers_as_the_frameworks_evaluator_does(string scenario)
    {
        var admin = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole("admin").Build();
        (AuthorizationPolicy Policy, Func<HttpContext> Make) chosen = scenario switch
        {
            "signed in" => (SignedIn, () => Request(true)),
            "anonymous" => (SignedIn, () => Request(false)),
            "signed in, admin policy" => (admin, () => Request(true)),
            "admin, admin policy" => (admin, () => Request(true, "admin")),
            "anonymous, admin policy" => (admin, () => Request(false)),
            "signed in, no result" => (SignedIn, () =>
            {
                var http = Request(true);
                http.Features.Set<IAuthenticateResultFeature>(null);
                return http;
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };
        var (policy, make) = chosen;
        var (ours, ourVerdict) = await EvaluateAsync(new SignedInPolicyEvaluator(), policy, make());
        var (theirs, theirVerdict) = await EvaluateAsync(new PolicyEvaluator(Services.GetRequiredService<IAuthorizationService>()), policy, make());
        Assert.Equal(theirs.Succeeded, ours.Succeeded);
        Assert.Equal(theirs.None, ours.None);
        Assert.Equal((theirVerdict.Succeeded, theirVerdict.Challenged, theirVerdict.Forbidden), (ourVerdict.Succeeded, ourVerdict.Challenged, ourVerdict.Forbidden));
        // What the cases are for: each outcome is reached.
        var expected = scenario switch
        {
            "signed in" or "admin, admin policy" or "signed in, no result" => "succeeded",
            "signed in, admin policy" => "forbidden",
            _ => "challenged",
        };
        Assert.Equal(expected, ourVerdict.Succeeded ? "succeeded" : ourVerdict.Forbidden ? "forbidden" : ourVerdict.Challenged ? "challenged" : "?");
    }

    [Fact]
    public async Task A_signed_in_request_is_answered_from_the_middlewares_result()
    {
        var http = Request(true);
        var stored = http.Features.Get<IAuthenticateResultFeature>()!.AuthenticateResult;
        var (authenticated, authorized) = await EvaluateAsync(new SignedInPolicyEvaluator(), SignedIn, http);
        Assert.Same(stored, authenticated);
        Assert.True(authorized.Succeeded);
    }

    /// <summary>The shortcut is right only while nothing but the framework's pass-through handler can rule on "someone
    /// signed in": a handler added later that could refuse a signed-in person would be skipped by it.</summary>
    [Fact]
    public async Task The_server_registers_no_authorization_handler_the_shortcut_would_skip()
    {
        await servers["Sqlite"].WithScopeAsync(sp =>
        {
            Assert.Equal([typeof(PassThroughAuthorizationHandler)], sp.GetServices<IAuthorizationHandler>().Select(h => h.GetType()));
            Assert.IsType<SignedInPolicyEvaluator>(sp.GetRequiredService<IPolicyEvaluator>());
            return Task.CompletedTask;
        });
    }
}
