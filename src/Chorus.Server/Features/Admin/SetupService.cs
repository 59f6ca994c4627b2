using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Admin;

/// <summary>
/// A production database starts empty, with no default password. The first admin comes from `chorus create-admin`
/// or from a one-time setup link that the server logs at start while no admin exists.
/// </summary>
public sealed class SetupService(ChorusDb db, TimeProvider clock, PeopleService people)
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);

    public Task<bool> HasAdminAsync(CancellationToken ct) => db.People.AnyAsync(p => p.Role == PersonRole.Admin, ct);

    /// <summary>Creates a new one-time setup secret (only while no admin exists). Returns null once an admin exists.</summary>
    public async Task<string?> CreateLinkSecretAsync(CancellationToken ct)
    {
        if (await HasAdminAsync(ct)) return null;
        var secret = Secrets.New("chorus_setup_");
        var now = clock.GetUtcNow().UtcDateTime;
        db.SetupTokens.Add(new SetupToken { SecretHash = Secrets.Hash(secret), CreatedAt = now, ExpiresAt = now + LinkLifetime });
        await db.SaveChangesAsync(ct);
        return secret;
    }

    public async Task<bool> IsValidAsync(string? secret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 200 || await HasAdminAsync(ct)) return false;
        var hash = Secrets.Hash(secret);
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.SetupTokens.AnyAsync(t => t.SecretHash == hash && t.ExpiresAt > now, ct);
    }

    /// <summary>Creates the first admin with a setup secret; every setup secret is void afterwards.</summary>
    public async Task<Outcome<Person>> CompleteAsync(string? secret, NewPerson admin, CancellationToken ct)
    {
        if (!await IsValidAsync(secret, ct)) return Problem.Forbidden("This setup link is used, expired or unknown.");
        if (PersonRules.CheckPassword(admin.Password) is { } pp) return pp;
        var created = await CreateAdminAsync(admin, ct);
        return created;
    }

    /// <summary>Creates an admin (CLI and setup link). Clears all setup secrets.</summary>
    public async Task<Outcome<Person>> CreateAdminAsync(NewPerson admin, CancellationToken ct)
    {
        if (PersonRules.CheckPassword(admin.Password) is { } pp) return pp;
        var outcome = await people.CreateAsync(admin with { Role = "admin" }, ct);
        if (outcome.Ok) await db.SetupTokens.ExecuteDeleteAsync(ct);
        return outcome;
    }
}
