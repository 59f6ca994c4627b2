using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Microsoft.AspNetCore.Antiforgery;

namespace Chorus.Server.Infrastructure;

public static class ApiConventions
{
    /// <summary>
    /// Unsafe API calls need a token with the write scope. Calls made with the browser session cookie must also carry
    /// the anti-forgery header the pages embed, so another site cannot make a signed-in browser post.
    /// </summary>
    public static TBuilder RequiresWrite<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var viewer = http.Features.Get<Viewer>();
            if (viewer is null) return Results.Unauthorized();
            if (!viewer.CanWrite)
                return Problem.Forbidden("This token has the 'read' scope; create a token with the 'write' scope to change things.").ToResult();
            if (viewer.Via == CredentialKind.Session)
            {
                var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(http))
                    return new Problem(400, "antiforgery", "The request is missing its anti-forgery token.",
                        "Browser sessions must send the RequestVerificationToken header; API clients should use a bearer token.").ToResult();
            }
            return await next(context);
        });

    public static TBuilder RequiresAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var viewer = context.HttpContext.Features.Get<Viewer>();
            if (viewer is not { IsAdmin: true }) return Problem.Forbidden("Only admins can do this.").ToResult();
            return await next(context);
        });
}
