using Chorus.Server.Data;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Groups;

/// <summary>Limits, names and checks for groups, shared by the API, the web forms and the seed.</summary>
public static class GroupRules
{
    public const int MaxName = 80, MaxDescription = 2000;
    /// <summary>How many people one request may invite or add.</summary>
    public const int MaxInvitesPerRequest = 50;

    public static string KindName(GroupKind kind) => kind switch
    {
        GroupKind.Private => "private",
        GroupKind.Secret => "secret",
        GroupKind.Company => "company",
        _ => "public",
    };

    /// <summary>The kinds a person may create or change a group into; the all-company group is not one of them.</summary>
    public static Outcome<GroupKind> Kind(string? kind, GroupKind fallback) => kind?.Trim().ToLowerInvariant() switch
    {
        null or "" => fallback,
        "public" => GroupKind.Public,
        "private" => GroupKind.Private,
        "secret" => GroupKind.Secret,
        _ => Problem.Invalid("kind", "must be 'public', 'private' or 'secret'."),
    };

    public static string RoleName(GroupRole role) => role switch { GroupRole.Owner => "owner", GroupRole.Admin => "admin", _ => "member" };

    public static Outcome<GroupRole> Role(string? role) => role?.Trim().ToLowerInvariant() switch
    {
        "member" => GroupRole.Member,
        "admin" => GroupRole.Admin,
        "owner" => GroupRole.Owner,
        _ => Problem.Invalid("role", "must be 'member', 'admin' or 'owner'."),
    };

    public static string StateName(MembershipState state) => state switch
    {
        MembershipState.Invited => "invited",
        MembershipState.Requested => "requested",
        _ => "member",
    };

    public static Outcome<string?> Name(string? name) => PersonRules.Text("name", name, MaxName, required: true);

    public static Outcome<string?> Description(string? description) =>
        PersonRules.Text("description", description, MaxDescription, multiline: true);

    public static string NameKey(string name) => name.Trim().ToLowerInvariant();
}
