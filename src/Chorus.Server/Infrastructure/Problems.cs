using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Infrastructure;

/// <summary>
/// An expected failure, as a value. Each kind has a stable RFC 9457 <c>type</c> that clients can switch on;
/// docs/api.md lists them.
/// </summary>
public sealed record Problem(int Status, string Kind, string Title, string? Detail = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public string Type => $"urn:chorus:problem:{Kind}";

    public static Problem Invalid(string field, string message) =>
        new(StatusCodes.Status422UnprocessableEntity, "validation", "The request has invalid fields.", $"{field}: {message}",
            new Dictionary<string, string[]> { [field] = [message] });
    public static Problem BadRequest(string field, string message) =>
        new(StatusCodes.Status400BadRequest, "bad-request", "The request is malformed.", $"{field}: {message}",
            new Dictionary<string, string[]> { [field] = [message] });
    public static Problem NotFound(string what) => new(StatusCodes.Status404NotFound, "not-found", $"{what} was not found.");
    public static Problem Forbidden(string why) => new(StatusCodes.Status403Forbidden, "forbidden", "You are not allowed to do this.", why);
    public static Problem Conflict(string kind, string detail) => new(StatusCodes.Status409Conflict, kind, "The request conflicts with the current state.", detail);
    public static Problem TooLarge(string field, string detail) =>
        new(StatusCodes.Status413PayloadTooLarge, "too-large", "The content is too large.", detail,
            new Dictionary<string, string[]> { [field] = [detail] });
    public static Problem Unsupported(string field, string detail) =>
        new(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The content type is not supported.", detail,
            new Dictionary<string, string[]> { [field] = [detail] });

    public ProblemHttpResult ToResult()
    {
        var pd = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = Status, Type = Type, Title = Title, Detail = Detail };
        if (Errors is not null) pd.Extensions["errors"] = Errors;
        return TypedResults.Problem(pd);
    }
}

/// <summary>A value or a problem.</summary>
public readonly struct Outcome<T>
{
    public T? Value { get; }
    public Problem? Problem { get; }
    public bool Ok => Problem is null;

    Outcome(T? value, Problem? problem) { Value = value; Problem = problem; }

    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(Problem problem) => new(default, problem);

    public TResult Match<TResult>(Func<T, TResult> ok, Func<Problem, TResult> fail) => Problem is null ? ok(Value!) : fail(Problem);
}

/// <summary>Thrown deep inside a service for an expected failure that is awkward to return; turned into problem+json by one handler.</summary>
public sealed class ProblemException(Problem problem) : Exception(problem.Detail ?? problem.Title)
{
    public Problem Problem { get; } = problem;
}
