namespace Chorus.Server.Features.People;

public sealed record PersonSummary(string Id, string Handle, string DisplayName, string? JobTitle, string? Department, string? AvatarUrl, bool Active);

public sealed record PersonDto(
    string Id, string Handle, string DisplayName, string? JobTitle, string? Department, string? Location, string? Bio,
    string? AvatarUrl, string Role, bool Active, PersonSummary? Manager, int Followers, int Following, int Posts,
    bool FollowedByMe, bool IsMe, string Url);

public sealed record ProfileDto(PersonDto Person, IReadOnlyList<PersonSummary> ManagerChain, IReadOnlyList<PersonSummary> DirectReports);

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record FollowState(string Handle, bool Following);

public sealed record DepartmentCount(string Name, int People);

/// <summary>What an admin (or the CLI's import) may set on a new person.</summary>
public sealed record NewPerson(
    string? Handle, string? DisplayName, string? Email, string? JobTitle = null, string? Department = null, string? Location = null,
    string? ManagerHandle = null, string? Bio = null, string? Role = null, string? Password = null);

/// <summary>PATCH /api/v1/me and, for admins, PATCH /api/v1/people/{handle}. Null leaves a field as it is; "" clears it.</summary>
public sealed record ProfileChanges(
    string? DisplayName = null, string? JobTitle = null, string? Department = null, string? Location = null, string? Bio = null,
    string? ManagerHandle = null, string? Role = null, string? Email = null);
