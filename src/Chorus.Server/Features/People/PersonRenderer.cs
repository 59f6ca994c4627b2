using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Posts;
using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.People;

/// <summary>People → API JSON, in batches: one query per related table per page.</summary>
public sealed class PersonRenderer(RequestDb requestDb, PersonCards cards, FollowCounts counts)
{
    ChorusDb db => requestDb.Context;

    public static string? AvatarUrl(Person p) => p.AvatarVersion is { } v ? $"/avatars/{Uri.EscapeDataString(p.Handle)}?v={v}" : null;

    public static PersonSummary Summary(Person p) =>
        new(p.Id.ToString(), p.Handle, p.DisplayName, p.JobTitle, p.Department, AvatarUrl(p), p.IsActive);

    /// <summary>Name cards, from memory where <see cref="PersonCards"/> has them; the rest in one query.</summary>
    public Task<Dictionary<long, PersonSummary>> SummariesAsync(IEnumerable<long> ids, CancellationToken ct) =>
        cards.Cache.GetManyAsync(ids, async (missing, ct) =>
        {
            var wanted = missing.ToArray();
            return (await db.People.AsNoTracking().Where(p => wanted.Contains(p.Id)).ToListAsync(ct)).ToDictionary(p => p.Id, Summary);
        }, ct);

    public async Task<IReadOnlyList<PersonDto>> RenderAsync(IReadOnlyList<Person> people, Viewer? viewer, CancellationToken ct)
    {
        if (people.Count == 0) return [];
        var ids = people.Select(p => p.Id).ToList();
        var managers = await SummariesAsync(people.Where(p => p.ManagerId is not null).Select(p => p.ManagerId!.Value), ct);
        var follows = await counts.GetAsync(db, ids, ct);
        // Post counts go through the one visibility rule: a profile never counts posts its reader cannot see.
        var viewerId = viewer?.Id;
        var visible = viewer is null ? db.Posts.Where(p => false) : db.Posts.VisibleTo(viewer);
        var posts = await visible.Where(p => ids.Contains(p.AuthorId))
            .GroupBy(p => p.AuthorId).Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        var mine = viewerId is { } v
            ? (await db.Follows.Where(f => f.FollowerId == v && ids.Contains(f.FolloweeId)).Select(f => f.FolloweeId).ToListAsync(ct)).ToHashSet()
            : [];
        return people.Select(p => new PersonDto(
            p.Id.ToString(), p.Handle, p.DisplayName, p.JobTitle, p.Department, p.Location, p.Bio, AvatarUrl(p),
            PersonRules.RoleName(p.Role), p.IsActive,
            p.ManagerId is { } m && managers.TryGetValue(m, out var ms) ? ms : null,
            follows.GetValueOrDefault(p.Id).Followers, follows.GetValueOrDefault(p.Id).Following, posts.GetValueOrDefault(p.Id),
            mine.Contains(p.Id), p.Id == viewerId, "/people/" + Uri.EscapeDataString(p.Handle))).ToList();
    }
}
