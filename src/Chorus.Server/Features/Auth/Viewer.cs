using System.Reflection;
using Chorus.Server.Data;

namespace Chorus.Server.Features.Auth;

/// <summary>
/// Who is asking, as resolved once per request by <see cref="ChorusAuthenticationHandler"/>. Every read rule
/// (see <c>PostVisibility</c>) and every permission check takes a Viewer.
/// </summary>
public sealed record Viewer(long Id, string Handle, string DisplayName, PersonRole Role, CredentialKind Via, long CredentialId, bool CanWrite)
{
    /// <summary>
    /// Anyone in the organization, in no group, with no reactions of their own: what the organization as a whole may
    /// see (trending topics), and the neutral reader stream payloads are rendered for.
    /// </summary>
    public static readonly Viewer Organization = new(0, "", "", PersonRole.Member, CredentialKind.Token, 0, false);

    public bool IsAdmin => Role == PersonRole.Admin;

    /// <summary>Guests see only the groups they belong to, and those groups' members.</summary>
    public bool IsGuest => Role == PersonRole.Guest;

    /// <summary>
    /// The groups the viewer is a member of (not invited, not requested), as of when the viewer was resolved: at the
    /// start of a request, or refreshed on open streams when a membership changes. An array so that EF sends it as one
    /// query parameter.
    /// </summary>
    public long[] Groups { get; init; } = [];

    public static ValueTask<Viewer?> BindAsync(HttpContext http, ParameterInfo parameter) =>
        ValueTask.FromResult(http.Features.Get<Viewer>());
}
