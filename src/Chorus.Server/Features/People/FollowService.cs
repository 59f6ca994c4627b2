using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Notifications;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.People;

/// <summary>Following people, lists of followers and followees, and who-to-follow suggestions.</summary>
public sealed class FollowService(ChorusDb db, TimeProvider clock, PersonRenderer renderer, NotificationWriter notifications, PopularPeople popular, NetworkSuggestions network)
{
    public async Task<Outcome<FollowState>> FollowAsync(Viewer viewer, Person target, bool follow, CancellationToken ct)
    {
        if (target.Id == viewer.Id) return Problem.Invalid("handle", "You cannot follow yourself.");
        var existing = await db.Follows.FirstOrDefaultAsync(f => f.FollowerId == viewer.Id && f.FolloweeId == target.Id, ct);
        if (follow && existing is null)
        {
            if (!target.IsActive) return Problem.Invalid("handle", "This account is deactivated.");
            db.Follows.Add(new Follow { FollowerId = viewer.Id, FolloweeId = target.Id, CreatedAt = clock.GetUtcNow().UtcDateTime });
            db.Events.Add(new ChangeEvent { Kind = "follow.created", ActorId = viewer.Id, PersonId = viewer.Id, Data = target.Id.ToString(), CreatedAt = clock.GetUtcNow().UtcDateTime });
            await notifications.AddAsync(NotificationKinds.Follow, viewer.Id, target.Id, null, clock.GetUtcNow().UtcDateTime, ct);
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { /* a concurrent identical follow won: the end state is the same */ }
        }
        else if (!follow && existing is not null)
        {
            db.Follows.Remove(existing);
            db.Events.Add(new ChangeEvent { Kind = "follow.removed", ActorId = viewer.Id, PersonId = viewer.Id, Data = target.Id.ToString(), CreatedAt = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(ct);
        }
        return new FollowState(target.Handle, follow);
    }

    public async Task<Outcome<Page<PersonSummary>>> ListAsync(Person person, bool followers, string? cursor, int? limit, CancellationToken ct)
    {
        var n = limit ?? 30;
        if (n is < 1 or > PeopleService.MaxPageSize) return Problem.BadRequest("limit", $"must be between 1 and {PeopleService.MaxPageSize}.");
        long? after = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, out var c) || c < 0) return Problem.BadRequest("cursor", "is not a cursor this server issued.");
            after = c;
        }
        var q = followers
            ? db.Follows.Where(f => f.FolloweeId == person.Id).Select(f => f.FollowerId)
            : db.Follows.Where(f => f.FollowerId == person.Id).Select(f => f.FolloweeId);
        if (after is { } a) q = q.Where(id => id > a);
        var ids = await q.OrderBy(id => id).Take(n + 1).ToListAsync(ct);
        var more = ids.Count > n;
        if (more) ids.RemoveAt(n);
        var people = await renderer.SummariesAsync(ids, ct);
        return new Page<PersonSummary>(ids.Where(people.ContainsKey).Select(id => people[id]).ToList(), more ? ids[^1].ToString() : null);
    }

    /// <summary>
    /// People followed by the people you follow, ranked by how many of them follow each; then colleagues from your
    /// department, then the most-followed people. Never yourself, someone you follow, or a deactivated account.
    /// </summary>
    public async Task<IReadOnlyList<PersonSummary>> SuggestionsAsync(Viewer viewer, int count, CancellationToken ct)
    {
        // Guests are not shown the directory, suggestions included.
        if (viewer.IsGuest) return [];
        var mine = db.Follows.Where(f => f.FollowerId == viewer.Id).Select(f => f.FolloweeId);
        Task<List<long>> FriendsOfFriends(int take, CancellationToken c) => db.Follows
            .Where(f => mine.Contains(f.FollowerId) && f.FolloweeId != viewer.Id && !mine.Contains(f.FolloweeId))
            .GroupBy(f => f.FolloweeId).Select(g => new { Id = g.Key, N = g.Count() })
            .OrderByDescending(x => x.N).ThenBy(x => x.Id).Take(take).Select(x => x.Id).ToListAsync(c);
        // Whom the viewer follows now: what a kept list of candidates is checked against on every request.
        var followed = (await mine.ToListAsync(ct)).ToHashSet();
        var candidates = count * 3 <= NetworkSuggestions.Count
            ? await network.GetAsync(viewer.Id, c => FriendsOfFriends(NetworkSuggestions.Count, c), ct)
            : await FriendsOfFriends(count * 3, ct);
        var picked = candidates.Where(id => !followed.Contains(id)).Take(count * 3).ToList();
        if (picked.Count < count * 3)
        {
            var dept = await db.People.Where(p => p.Id == viewer.Id).Select(p => p.Department).FirstOrDefaultAsync(ct);
            picked.AddRange(await db.People.Where(p => p.Department == dept && p.Id != viewer.Id && !mine.Contains(p.Id))
                .OrderBy(p => p.Id).Take(count * 3).Select(p => p.Id).ToListAsync(ct));
            // The most followed people in the organization, less the viewer and whom they follow already: counted over
            // every follow, once every few minutes per node (PopularPeople), not on every page of someone new.
            var mostFollowed = await popular.GetAsync(c => db.Follows.GroupBy(f => f.FolloweeId).OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
                .Take(PopularPeople.Count).Select(g => g.Key).ToListAsync(c), ct);
            picked.AddRange(mostFollowed.Where(id => id != viewer.Id && !followed.Contains(id)).Take(count * 3));
        }
        var people = await renderer.SummariesAsync(picked, ct);
        return picked.Distinct().Where(id => people.TryGetValue(id, out var p) && p.Active).Take(count).Select(id => people[id]).ToList();
    }
}

/// <summary>
/// The organization's most followed people, for who-to-follow when a person's own network suggests too few (someone
/// new follows nobody). Counting every follow took 1.4 s at the benchmark's size (12.7 million follows), and the
/// side column asked on every web page of such a person (bench/findings.md, seventeenth session). The list is the
/// same for everyone, so each node counts at most once every few minutes and shares it (<see cref="SharedSnapshot{T}"/>);
/// each request then leaves out the viewer and whom they follow.
/// </summary>
public sealed class PopularPeople(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>How many are kept: enough that some remain after leaving out whom a viewer already follows.</summary>
    public const int Count = 100;

    readonly SharedSnapshot<List<long>> _ids = new(clock, Lifetime);

    public Task<List<long>> GetAsync(Func<CancellationToken, Task<List<long>>> compute, CancellationToken ct) => _ids.GetAsync(compute, ct);
}

/// <summary>
/// Who-to-follow from a person's own network (people the people they follow follow, ranked by how many), kept per
/// person for a minute on each node: counting them read ~18,000 follows, ~12 ms, on every web page of someone who
/// follows ~180 people (bench/findings.md, seventeenth session). Each request still leaves out whom the person follows
/// at that moment, so someone just followed is never suggested again; someone their network just started following
/// shows up within a minute.
/// </summary>
public sealed class NetworkSuggestions(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>Candidates kept per person: enough for 20 suggestions after leaving some out (the side column shows 4,
    /// the API 5 by default); a request for more counts afresh.</summary>
    public const int Count = 60;

    /// <summary>People kept at most; past it the lists start over (at 60 ids each, ~5 MB).</summary>
    public const int MaxPeople = 10_000;

    readonly System.Collections.Concurrent.ConcurrentDictionary<long, SharedSnapshot<List<long>>> _byPerson = new();

    public Task<List<long>> GetAsync(long personId, Func<CancellationToken, Task<List<long>>> compute, CancellationToken ct)
    {
        if (_byPerson.Count >= MaxPeople) _byPerson.Clear();
        return _byPerson.GetOrAdd(personId, _ => new SharedSnapshot<List<long>>(clock, Lifetime)).GetAsync(compute, ct);
    }
}

