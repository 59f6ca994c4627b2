using System.Net.Mail;
using System.Text.RegularExpressions;
using Chorus.Server.Data;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.People;

/// <summary>Limits and checks on a person's fields, shared by the API, the web forms, the CLI import and the seed.</summary>
public static partial class PersonRules
{
    public const int MaxHandle = 30, MaxName = 100, MaxEmail = 254, MaxTitle = 100, MaxDepartment = 100, MaxLocation = 100, MaxBio = 1000;
    public const int MinPassword = 8, MaxPassword = 200;

    /// <summary>The event a change to a person's card (name, title, photo, role, activation) records, so every node's
    /// read caches forget the old card (docs/adr/008-read-model.md). Not delivered on streams.</summary>
    public static ChangeEvent Updated(long actorId, long personId, DateTime now) =>
        new() { Kind = "person.updated", ActorId = actorId, PersonId = personId, CreatedAt = now };
    static readonly HashSet<string> Reserved = ["me", "new", "suggestions", "everyone", "here", "all"];

    [GeneratedRegex(@"^[\p{L}\p{N}_](?:[\p{L}\p{N}_.\-]{0,28}[\p{L}\p{N}_])?$")]
    private static partial Regex HandlePattern();

    public static Problem? CheckHandle(string? handle)
    {
        if (string.IsNullOrWhiteSpace(handle)) return Problem.Invalid("handle", "is required.");
        if (handle.Length > MaxHandle) return Problem.Invalid("handle", $"must be at most {MaxHandle} characters.");
        if (!HandlePattern().IsMatch(handle))
            return Problem.Invalid("handle", "may contain letters, digits, '_', '.' and '-', and must start and end with a letter, digit or '_'.");
        if (Reserved.Contains(handle.ToLowerInvariant())) return Problem.Invalid("handle", $"'{handle}' is reserved.");
        return null;
    }

    public static Problem? CheckEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return Problem.Invalid("email", "is required.");
        if (email.Length > MaxEmail) return Problem.Invalid("email", $"must be at most {MaxEmail} characters.");
        if (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email.Trim() || !email.Contains('.', StringComparison.Ordinal))
            return Problem.Invalid("email", "is not an email address.");
        return null;
    }

    public static Problem? CheckPassword(string? password)
    {
        if (string.IsNullOrEmpty(password)) return Problem.Invalid("password", "is required.");
        if (password.Length < MinPassword) return Problem.Invalid("password", $"must be at least {MinPassword} characters.");
        if (password.Length > MaxPassword) return Problem.Invalid("password", $"must be at most {MaxPassword} characters.");
        return null;
    }

    /// <summary>Checks an optional text field. Returns the cleaned value (trimmed, empty → null) or a problem.</summary>
    public static Outcome<string?> Text(string field, string? value, int max, bool required = false, bool multiline = false)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v))
            return required ? Problem.Invalid(field, "is required.") : (Outcome<string?>)(string?)null;
        if (v.Length > max) return Problem.Invalid(field, $"must be at most {max} characters.");
        if (v.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
            return Problem.Invalid(field, "must not contain control characters.");
        return v;
    }

    public static Outcome<PersonRole> Role(string? role) => role?.Trim().ToLowerInvariant() switch
    {
        null or "" or "member" => PersonRole.Member,
        "admin" => PersonRole.Admin,
        "guest" => PersonRole.Guest,
        _ => Problem.Invalid("role", "must be 'member', 'admin' or 'guest'."),
    };

    public static string RoleName(PersonRole role) => role switch { PersonRole.Admin => "admin", PersonRole.Guest => "guest", _ => "member" };

    public static string SearchText(string displayName, string handle, string? title) =>
        $"{displayName} {handle} {title}".Trim().ToLowerInvariant();
}
