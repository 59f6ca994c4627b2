using Chorus.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Admin;

public sealed record Counts(int People, int ActivePeople, int Admins, int Posts, int Replies, int Shares, int Reactions, int Follows, int Topics, int Events);

/// <summary>Row counts for `chorus counts` and the admin page.</summary>
public sealed class CountsService(ChorusDb db)
{
    public async Task<Counts> GetAsync(CancellationToken ct) => new(
        await db.People.CountAsync(ct),
        await db.People.CountAsync(p => p.DeactivatedAt == null, ct),
        await db.People.CountAsync(p => p.Role == PersonRole.Admin, ct),
        await db.Posts.CountAsync(p => p.DeletedAt == null, ct),
        await db.Posts.CountAsync(p => p.DeletedAt == null && p.ReplyToId != null, ct),
        await db.Posts.CountAsync(p => p.DeletedAt == null && p.ShareOfId != null, ct),
        await db.Reactions.CountAsync(ct),
        await db.Follows.CountAsync(ct),
        await db.Topics.CountAsync(ct),
        await db.Events.CountAsync(ct));
}
