using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;

namespace Chorus.Tests.ReadModel;

public sealed class CredentialCacheTests
{
    static readonly ChorusSettings Settings = new("data", DatabaseProvider.Sqlite, "", "FULL", false, "", new SecurityOptions(), new StreamingOptions(), 0);

    static Viewer Ada => new(7, "ada", "Ada", PersonRole.Member, CredentialKind.Token, 70, CanWrite: true);

    [Fact]
    public void A_load_after_the_use_fell_due_replaces_the_entry()
    {
        var cache = new CredentialCache(Settings);
        var t0 = new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);
        cache.Store(cache.Begin("h"), Ada, expiresAt: null, lastUsedAt: t0);
        Assert.Equal(Ada, cache.TryGet("h", CredentialKind.Token, t0.AddMinutes(4)));

        // Six minutes on, the use is due to be recorded: the service loads the credential, records the use and stores it.
        var later = t0.AddMinutes(6);
        Assert.Null(cache.TryGet("h", CredentialKind.Token, later));
        cache.Store(cache.Begin("h"), Ada, expiresAt: null, lastUsedAt: later);
        // The new load answers from then on (before, the old entry stayed and every request went to the database).
        Assert.Equal(Ada, cache.TryGet("h", CredentialKind.Token, later.AddSeconds(1)));
    }

    [Fact]
    public void A_load_after_the_person_changed_replaces_the_entry()
    {
        var cache = new CredentialCache(Settings);
        var now = new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);
        cache.Store(cache.Begin("h"), Ada, expiresAt: null, lastUsedAt: now);
        cache.Apply([new CommittedChange(new ChangeEvent { Kind = "person.updated", ActorId = 7, PersonId = 7, CreatedAt = now }, null, [])]);
        Assert.Null(cache.TryGet("h", CredentialKind.Token, now));

        var renamed = Ada with { DisplayName = "Ada L." };
        cache.Store(cache.Begin("h"), renamed, expiresAt: null, lastUsedAt: now);
        Assert.Equal(renamed, cache.TryGet("h", CredentialKind.Token, now));
    }
}
