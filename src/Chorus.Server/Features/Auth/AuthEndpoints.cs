using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Features.Auth;

public sealed record CreateTokenWithPasswordRequest(string? Handle, string? Password, string? Name, string? Scope, int? ExpiresInDays);
public sealed record CreateTokenRequest(string? Name, string? Scope, int? ExpiresInDays);

public static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        // For scripts: trade a handle and password for a token. The only API route that takes a password.
        app.MapPost("/api/v1/auth/tokens", CreateWithPassword).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn)
            .WithTags("Auth").WithSummary("Create a personal access token with handle and password");

        var me = app.MapGroup("/api/v1/me/tokens").RequireAuthorization().WithTags("Auth");
        me.MapGet("", List).WithSummary("List your active personal access tokens");
        me.MapPost("", Create).RequiresWrite().RequireRateLimiting(RateLimits.SignIn).WithSummary("Create a personal access token");
        me.MapDelete("/{id}", Revoke).RequiresWrite().WithSummary("Revoke one of your tokens");
    }

    static async Task<Results<Created<CreatedToken>, ProblemHttpResult>> CreateWithPassword(
        CreateTokenWithPasswordRequest request, CredentialService credentials, CancellationToken ct)
    {
        var person = await credentials.CheckPasswordAsync(request.Handle, request.Password, ct);
        if (!person.Ok) return person.Problem!.ToResult();
        var token = await credentials.CreateTokenAsync(person.Value!.Id, request.Name ?? "script", request.Scope, request.ExpiresInDays, ct);
        return token.Match<Results<Created<CreatedToken>, ProblemHttpResult>>(t => TypedResults.Created("/api/v1/me/tokens", t), p => p.ToResult());
    }

    static async Task<Ok<IReadOnlyList<TokenSummary>>> List(Viewer viewer, CredentialService credentials, CancellationToken ct) =>
        TypedResults.Ok(await credentials.ListTokensAsync(viewer.Id, ct));

    static async Task<Results<Created<CreatedToken>, ProblemHttpResult>> Create(CreateTokenRequest request, Viewer viewer, CredentialService credentials, CancellationToken ct)
    {
        var token = await credentials.CreateTokenAsync(viewer.Id, request.Name, request.Scope, request.ExpiresInDays, ct);
        return token.Match<Results<Created<CreatedToken>, ProblemHttpResult>>(t => TypedResults.Created("/api/v1/me/tokens", t), p => p.ToResult());
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string id, Viewer viewer, CredentialService credentials, CancellationToken ct)
    {
        if (!long.TryParse(id, out var credentialId) || !await credentials.RevokeAsync(viewer.Id, credentialId, ct))
            return Problem.NotFound("The token").ToResult();
        return TypedResults.NoContent();
    }
}
