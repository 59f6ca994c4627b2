using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Chorus.Server.Features.Groups;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Auth;

public sealed record TokenSummary(string Id, string Name, string Scope, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt);
public sealed record CreatedToken(string Id, string Name, string Scope, string Token, DateTime CreatedAt, DateTime? ExpiresAt);

/// <summary>Passwords, lockout, browser sessions and personal access tokens.</summary>
public sealed class CredentialService(ChorusDb db, IdGenerator ids, TimeProvider clock, ChorusSettings settings, IPasswordHasher<Person> hasher, CredentialCache cache)
{
    public const int MaxTokenNameLength = 100;

    /// <summary>Checks a handle and password, counting failures towards a lockout. Returns the person or a problem.</summary>
    public async Task<Outcome<Person>> CheckPasswordAsync(string? handle, string? password, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(handle)) return Problem.Invalid("handle", "is required.");
        if (string.IsNullOrEmpty(password)) return Problem.Invalid("password", "is required.");
        var key = handle.Trim().TrimStart('@').ToLowerInvariant();
        var person = await db.People.FirstOrDefaultAsync(p => p.HandleKey == key, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var wrong = new Problem(401, "invalid-credentials", "The handle or password is wrong.");
        if (person?.PasswordHash is null)
        {
            // Same work as a real check so that response time does not reveal which handles exist.
            hasher.VerifyHashedPassword(new Person { Handle = "", HandleKey = "", DisplayName = "", Email = "", EmailKey = "", SearchText = "" },
                _dummyHash.Value, password);
            return wrong;
        }
        if (person.LockedUntil is { } until && until > now)
            return new Problem(429, "locked-out", "Too many failed sign-ins.", $"Try again after {until:u}.");
        if (!person.IsActive) return new Problem(403, "deactivated", "This account is deactivated.");

        var result = hasher.VerifyHashedPassword(person, person.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            person.FailedSignIns++;
            if (person.FailedSignIns >= settings.Security.MaxFailedSignIns)
            {
                person.LockedUntil = now.AddMinutes(settings.Security.LockoutMinutes);
                person.FailedSignIns = 0;
            }
            await db.SaveChangesAsync(ct);
            return wrong;
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded) person.PasswordHash = hasher.HashPassword(person, password);
        person.FailedSignIns = 0;
        person.LockedUntil = null;
        await db.SaveChangesAsync(ct);
        return person;
    }

    readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(null!, "not-a-password"));

    public async Task<string> CreateSessionAsync(Person person, string userAgent, CancellationToken ct)
    {
        var secret = Secrets.New(Secrets.SessionPrefix);
        var now = clock.GetUtcNow().UtcDateTime;
        db.Credentials.Add(new Credential
        {
            Id = ids.Next(), PersonId = person.Id, Kind = CredentialKind.Session,
            Name = userAgent.Length > MaxTokenNameLength ? userAgent[..MaxTokenNameLength] : userAgent,
            SecretHash = Secrets.Hash(secret), Scopes = "read write", CreatedAt = now, LastUsedAt = now,
            ExpiresAt = now.AddDays(settings.Security.SessionDays),
        });
        await db.SaveChangesAsync(ct);
        return secret;
    }

    public async Task<Outcome<CreatedToken>> CreateTokenAsync(long personId, string? name, string? scope, int? expiresInDays, CancellationToken ct)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name)) return Problem.Invalid("name", "is required.");
        if (name.Length > MaxTokenNameLength) return Problem.Invalid("name", $"must be at most {MaxTokenNameLength} characters.");
        scope = (scope ?? "read").Trim().ToLowerInvariant();
        if (scope is not ("read" or "write")) return Problem.Invalid("scope", "must be 'read' or 'write'.");
        if (expiresInDays is < 1 or > 3650) return Problem.Invalid("expiresInDays", "must be between 1 and 3650.");
        var active = await db.Credentials.CountAsync(c => c.PersonId == personId && c.Kind == CredentialKind.Token && c.RevokedAt == null, ct);
        if (active >= 50) return Problem.Conflict("too-many-tokens", "You have 50 active tokens; revoke one first.");

        var secret = Secrets.New(Secrets.TokenPrefix);
        var now = clock.GetUtcNow().UtcDateTime;
        var c = new Credential
        {
            Id = ids.Next(), PersonId = personId, Kind = CredentialKind.Token, Name = name,
            SecretHash = Secrets.Hash(secret), Scopes = scope == "write" ? "read write" : "read", CreatedAt = now,
            ExpiresAt = expiresInDays is { } d ? now.AddDays(d) : null,
        };
        db.Credentials.Add(c);
        await db.SaveChangesAsync(ct);
        return new CreatedToken(c.Id.ToString(), c.Name, scope, secret, c.CreatedAt, c.ExpiresAt);
    }

    public async Task<IReadOnlyList<TokenSummary>> ListTokensAsync(long personId, CancellationToken ct) =>
        (await db.Credentials.Where(c => c.PersonId == personId && c.Kind == CredentialKind.Token && c.RevokedAt == null)
            .OrderByDescending(c => c.Id).ToListAsync(ct))
        .Select(c => new TokenSummary(c.Id.ToString(), c.Name, c.Scopes.Contains("write") ? "write" : "read", c.CreatedAt, c.LastUsedAt, c.ExpiresAt))
        .ToList();

    /// <summary>Revokes one of the person's own tokens or sessions. False when there is no such credential.</summary>
    public async Task<bool> RevokeAsync(long personId, long credentialId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var credential = await db.Credentials.FirstOrDefaultAsync(c => c.Id == credentialId && c.PersonId == personId && c.RevokedAt == null, ct);
        if (credential is null) return false;
        credential.RevokedAt = now;
        // The event closes streams opened with this credential, on every node.
        db.Events.Add(new ChangeEvent { Kind = "credential.revoked", ActorId = personId, PersonId = personId, Data = credentialId.ToString(), CreatedAt = now });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The viewer a presented secret stands for, or null when it is unknown, revoked, expired, or its person is deactivated.</summary>
    public Task<Viewer?> ResolveAsync(string secret, CredentialKind kind, CancellationToken ct) => ResolveHashAsync(Secrets.Hash(secret), kind, ct);

    /// <summary><see cref="ResolveAsync"/> for a secret already hashed; answered from <see cref="CredentialCache"/> when it can be.</summary>
    public async Task<Viewer?> ResolveHashAsync(string hash, CredentialKind kind, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (cache.TryGet(hash, kind, now) is { } known) return known;
        var begun = cache.Begin(hash);
        var row = await (from c in db.Credentials
                         join p in db.People on c.PersonId equals p.Id
                         where c.SecretHash == hash && c.Kind == kind && c.RevokedAt == null && p.DeactivatedAt == null
                         select new { c.Id, c.Scopes, c.ExpiresAt, c.LastUsedAt, PersonId = p.Id, p.Handle, p.DisplayName, p.Role })
            .AsNoTracking().FirstOrDefaultAsync(ct);
        if (row is null || row.ExpiresAt is { } exp && exp <= now) return null;
        // Record use at most every five minutes so that reads do not turn into writes.
        var lastUsed = row.LastUsedAt;
        if (lastUsed is null || lastUsed < now - CredentialCache.UseRecordedEvery)
        {
            await db.Credentials.Where(c => c.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), ct);
            lastUsed = now;
        }
        var viewer = new Viewer(row.PersonId, row.Handle, row.DisplayName, row.Role, kind, row.Id, row.Scopes.Contains("write"))
        {
            Groups = await GroupAccess.MemberGroupsAsync(db, row.PersonId, ct),
        };
        cache.Store(begun, viewer, row.ExpiresAt, lastUsed);
        return viewer;
    }
}
