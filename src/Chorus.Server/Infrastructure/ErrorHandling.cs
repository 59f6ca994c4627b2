using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// Turns framework-level request failures (malformed JSON, wrong content type, body too large) and domain
/// <see cref="ProblemException"/>s into problem+json with a stable type. Anything else is a real 500, logged.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var problem = exception switch
        {
            ProblemException pe => pe.Problem,
            BadHttpRequestException { StatusCode: 413 } => Problem.TooLarge("body", "The request body is larger than the server accepts."),
            BadHttpRequestException { StatusCode: 415 } b => Problem.Unsupported("Content-Type", b.Message),
            BadHttpRequestException b => Problem.BadRequest(FieldOf(b), Describe(b)),
            Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException =>
                new Problem(400, "antiforgery", "The form has expired or is not from this site.", "Reload the page and try again."),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };
        if (problem is null)
        {
            if (http.RequestAborted.IsCancellationRequested) return true;
            log.LogError(exception, "Unhandled error for {Method} {Path}", http.Request.Method, http.Request.Path);
            return false;
        }

        http.Response.StatusCode = problem.Status;
        var pd = new ProblemDetails { Status = problem.Status, Type = problem.Type, Title = problem.Title, Detail = problem.Detail };
        if (problem.Errors is not null) pd.Extensions["errors"] = problem.Errors;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = pd, Exception = exception });
    }

    static string FieldOf(BadHttpRequestException e)
    {
        if (e.InnerException is System.Text.Json.JsonException { Path: { Length: > 0 } path }) return path.TrimStart('$', '.');
        // 'Failed to bind parameter "int? limit" from "lots".' → limit
        var m = System.Text.RegularExpressions.Regex.Match(e.Message, "parameter \"(?:[^\" ]+ )?([^\" ]+)\"");
        return m.Success ? m.Groups[1].Value : "body";
    }

    static string Describe(BadHttpRequestException e) => e.InnerException switch
    {
        System.Text.Json.JsonException j => $"The JSON body could not be read: {j.Message}",
        _ => e.Message,
    };
}
