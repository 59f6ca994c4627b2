using System.Collections.Concurrent;
using Chorus.Server.Data;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Auth;

/// <summary>
/// The viewers that presented secrets resolve to, so a signed-in request needs no query to know who is asking
/// (docs/adr/008-read-model.md). Keyed by the secret's hash; an entry is forgotten when its credential is revoked, its
/// person is deactivated or changed (name, role) or their group memberships change — on this node at commit, on other
/// nodes when their dispatcher reads the event. Expiry is checked on every use.
/// <para>A change names a person, not a credential, and the person is known only after the load: so every change
/// takes a number from one counter, each person remembers the number of their last change, and an entry is used only
/// if it was loaded (the counter read before its query) at or after that number.</para>
/// </summary>
public sealed class CredentialCache(ChorusSettings settings) : IChangeObserver, IClearable
{
    /// <summary>Use is recorded at most this often, so reads do not turn into writes.</summary>
    public static readonly TimeSpan UseRecordedEvery = TimeSpan.FromMinutes(5);

    public sealed record Entry(Viewer Viewer, DateTime? ExpiresAt, DateTime? LastUsedAt, long LoadedAt);

    readonly ReadCache<string, Entry> _entries = new(settings.Cache.People, TimeSpan.FromSeconds(settings.Cache.TimeToLiveSeconds));
    readonly ConcurrentDictionary<long, long> _changedAt = new();
    long _counter;

    /// <summary>
    /// A viewer for the hash, or null: unknown here, expired, changed since loaded, or its use is due to be recorded.
    /// An entry that cannot answer is forgotten, so that the caller's load replaces it: the read cache keeps a loaded
    /// entry over a later load of the same key (nothing changed since, as far as it knows), and the stale entry then
    /// sent every request with that secret to the database until the entry's time to live ran out (found with the
    /// entries' lifetimes spread, bench/findings.md, tenth session).
    /// </summary>
    public Viewer? TryGet(string hash, CredentialKind kind, DateTime now)
    {
        if (!_entries.TryGet(hash, out var e)) return null;
        if (e.Viewer.Via == kind && (e.ExpiresAt is not { } exp || exp > now) && e.LastUsedAt is { } used && used >= now - UseRecordedEvery
            && _changedAt.GetValueOrDefault(e.Viewer.Id) <= e.LoadedAt)
            return e.Viewer;
        _entries.Invalidate(hash);
        return null;
    }

    /// <summary>Call before the query; hand the result to <see cref="Store"/>.</summary>
    public (ReadCache<string, Entry>.Stamp Stamp, long LoadedAt) Begin(string hash) => (_entries.Begin(hash), Volatile.Read(ref _counter));

    public void Store((ReadCache<string, Entry>.Stamp Stamp, long LoadedAt) begun, Viewer viewer, DateTime? expiresAt, DateTime? lastUsedAt)
    {
        if (_changedAt.GetValueOrDefault(viewer.Id) <= begun.LoadedAt)
            _entries.Store(begun.Stamp, new Entry(viewer, expiresAt, lastUsedAt, begun.LoadedAt));
    }

    public void Apply(IReadOnlyList<CommittedChange> changes)
    {
        foreach (var c in changes)
            if (c.Kind is "credential.revoked" or "person.deactivated" or "person.updated" or "group.membership")
                Changed(c.Event.PersonId ?? c.Event.ActorId);
    }

    void Changed(long personId)
    {
        var at = Interlocked.Increment(ref _counter);
        _changedAt.AddOrUpdate(personId, at, (_, old) => Math.Max(old, at));
    }

    public void Clear() => _entries.Clear();
}
