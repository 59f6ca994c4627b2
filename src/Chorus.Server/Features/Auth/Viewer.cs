using System.Reflection;
using Chorus.Server.Data;

namespace Chorus.Server.Features.Auth;

/// <summary>
/// Who is asking, as resolved once per request by <see cref="ChorusAuthenticationHandler"/>. Every read rule
/// (see <c>PostVisibility</c>) and every permission check takes a Viewer.
/// </summary>
public sealed record Viewer(long Id, string Handle, string DisplayName, PersonRole Role, CredentialKind Via, long CredentialId, bool CanWrite)
{
    public bool IsAdmin => Role == PersonRole.Admin;

    public static ValueTask<Viewer?> BindAsync(HttpContext http, ParameterInfo parameter) =>
        ValueTask.FromResult(http.Features.Get<Viewer>());
}
