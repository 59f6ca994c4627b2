using Microsoft.AspNetCore.Diagnostics;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// Bodyless error statuses produced by the framework itself (no route, wrong method, wrong content type) get the
/// same problem+json with a stable type as everything else.
/// </summary>
public static class StatusCodeProblems
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var problem = http.Response.StatusCode switch
        {
            404 => Problem.NotFound(http.Request.Path.StartsWithSegments("/api") ? "This API route" : "This page"),
            405 => new Problem(405, "method-not-allowed", "This method is not allowed here.", $"{http.Request.Method} is not supported on {http.Request.Path}."),
            415 => Problem.Unsupported("Content-Type", "Send the body as application/json."),
            400 => new Problem(400, "bad-request", "The request is malformed."),
            401 => new Problem(401, "unauthorized", "Sign-in required."),
            403 => Problem.Forbidden("You are not allowed to do this."),
            _ => null,
        };
        if (problem is null) return;
        await problem.ToResult().ExecuteAsync(http);
    }
}
