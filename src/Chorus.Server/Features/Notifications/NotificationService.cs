using System.Globalization;
using System.Text.Json;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Notifications;

/// <summary>Reading and marking your notifications, your per-kind preferences, and the threads you muted.</summary>
public sealed class NotificationService(ChorusDb db, NotificationRenderer renderer, PostRenderer posts, TimeProvider clock)
{
    public const int DefaultPageSize = 30;
    public const int MaxPageSize = 100;
    public const int MaxReadIds = 500;
    const int ScanBatch = 200;
    /// <summary>Rows one page may look through while grouping, so a page of 100 groups never reads an unbounded history.</summary>
    const int MaxScan = 2000;

    /// <summary>Your notifications, leaving out any about a post you cannot see (now): the one visibility rule, in SQL.</summary>
    public IQueryable<Notification> Mine(Viewer viewer)
    {
        var visible = db.Posts.VisibleTo(viewer);
        return db.Notifications.AsNoTracking()
            .Where(n => n.RecipientId == viewer.Id && (n.PostId == null || visible.Any(p => p.Id == n.PostId)));
    }

    public async Task<Outcome<Page<NotificationDto>>> ListAsync(Viewer viewer, string? kind, bool unread, string? cursor, int? limit, CancellationToken ct)
    {
        if (kind is not null && !NotificationKinds.IsKnown(kind))
            return Problem.Invalid("kind", $"must be one of: {string.Join(", ", NotificationKinds.All)}.");
        var n = limit ?? DefaultPageSize;
        if (n is < 1 or > MaxPageSize) return Problem.BadRequest("limit", $"must be between 1 and {MaxPageSize}.");
        var before = long.MaxValue;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out before) || before <= 0))
            return Problem.BadRequest("cursor", "is not a cursor this server issued.");

        var query = Mine(viewer);
        if (kind is not null) query = query.Where(x => x.Kind == kind);
        if (unread) query = query.Where(x => x.ReadAt == null);

        // Greedy grouping, newest first: reactions, shares and follows join an earlier group of this page with the
        // same kind, post and read state; the page ends where a new group would exceed the limit.
        var groups = new List<List<Notification>>();
        var open = new Dictionary<(string, long?, bool), List<Notification>>();
        string? next = null;
        var scanned = 0;
        var position = before;
        while (true)
        {
            var batch = await query.Where(x => x.Id < position).OrderByDescending(x => x.Id).Take(ScanBatch).ToListAsync(ct);
            var full = false;
            foreach (var row in batch)
            {
                var key = (row.Kind, row.PostId, row.ReadAt is not null);
                if (NotificationKinds.Groups(row.Kind) && open.TryGetValue(key, out var existing)) existing.Add(row);
                else if (groups.Count == n) { full = true; break; }
                else
                {
                    var group = new List<Notification> { row };
                    groups.Add(group);
                    if (NotificationKinds.Groups(row.Kind)) open[key] = group;
                }
                position = row.Id;
                scanned++;
            }
            if (full || (batch.Count == ScanBatch && scanned >= MaxScan)) { next = position.ToString(CultureInfo.InvariantCulture); break; }
            if (batch.Count < ScanBatch) break;
        }
        var items = await renderer.RenderAsync(groups, viewer, ct);
        return new Page<NotificationDto>(items, next);
    }

    public Task<int> UnreadCountAsync(Viewer viewer, CancellationToken ct) => Mine(viewer).CountAsync(x => x.ReadAt == null, ct);

    /// <summary>Marks some of your notifications (ids of anyone else's are ignored) or all of them read, and tells your open streams.</summary>
    public async Task<Outcome<ReadResult>> MarkReadAsync(Viewer viewer, MarkReadRequest? request, CancellationToken ct)
    {
        var all = request?.All == true;
        var ids = new List<long>();
        if (!all)
        {
            if (request?.Ids is not { Count: > 0 } given) return Problem.Invalid("ids", "Give the ids to mark read, or \"all\": true.");
            if (given.Count > MaxReadIds) return Problem.Invalid("ids", $"must be at most {MaxReadIds} ids (there are {given.Count}).");
            foreach (var s in given)
            {
                if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return Problem.Invalid("ids", $"'{s}' is not a notification id.");
                ids.Add(id);
            }
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var mine = db.Notifications.Where(x => x.RecipientId == viewer.Id && x.ReadAt == null);
            if (!all) mine = mine.Where(x => ids.Contains(x.Id));
            var affected = all ? null : await mine.Select(x => x.Id).ToListAsync(ct);
            var changed = await mine.ExecuteUpdateAsync(s => s.SetProperty(x => x.ReadAt, now), ct);
            if (changed > 0)
            {
                var data = all
                    ? JsonSerializer.Serialize(new { all = true })
                    : JsonSerializer.Serialize(new { ids = affected!.Select(i => i.ToString(CultureInfo.InvariantCulture)) });
                db.Events.Add(new ChangeEvent { Kind = "notification.read", ActorId = viewer.Id, PersonId = viewer.Id, Data = data, CreatedAt = now });
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        return new ReadResult(await UnreadCountAsync(viewer, ct));
    }

    public async Task<Dictionary<string, bool>> PreferencesAsync(long personId, CancellationToken ct)
    {
        var stored = await db.NotificationPreferences.AsNoTracking().Where(p => p.PersonId == personId).ToDictionaryAsync(p => p.Kind, p => p.Enabled, ct);
        return NotificationKinds.All.ToDictionary(k => k, k => stored.GetValueOrDefault(k, true));
    }

    /// <summary>Sets the kinds given; kinds left out keep their setting.</summary>
    public async Task<Outcome<Dictionary<string, bool>>> SetPreferencesAsync(Viewer viewer, IReadOnlyDictionary<string, bool>? changes, CancellationToken ct)
    {
        if (changes is null) return Problem.Invalid("body", "Give kinds and whether each is on, e.g. {\"reaction\": false}.");
        if (changes.Keys.FirstOrDefault(k => !NotificationKinds.IsKnown(k)) is { } unknown)
            return Problem.Invalid(unknown, $"is not a kind of notification; use {string.Join(", ", NotificationKinds.All)}.");
        var stored = await db.NotificationPreferences.Where(p => p.PersonId == viewer.Id).ToDictionaryAsync(p => p.Kind, ct);
        foreach (var (kind, enabled) in changes)
        {
            if (stored.TryGetValue(kind, out var row)) row.Enabled = enabled;
            else db.NotificationPreferences.Add(new NotificationPreference { PersonId = viewer.Id, Kind = kind, Enabled = enabled });
        }
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.ChangeTracker.Clear(); return Problem.Conflict("conflict", "Your preferences changed at the same time; try again."); }
        return await PreferencesAsync(viewer.Id, ct);
    }

    /// <summary>Mutes or unmutes the thread of a post you can see: no more notifications about anything in it.</summary>
    public async Task<Outcome<MuteState>> MuteAsync(Viewer viewer, long postId, bool mute, CancellationToken ct)
    {
        var post = await db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null) return Problem.NotFound("The post");
        var existing = await db.ThreadMutes.FirstOrDefaultAsync(m => m.PersonId == viewer.Id && m.RootId == post.RootId, ct);
        if (mute && existing is null)
        {
            db.ThreadMutes.Add(new ThreadMute { PersonId = viewer.Id, RootId = post.RootId, CreatedAt = clock.GetUtcNow().UtcDateTime });
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { db.ChangeTracker.Clear(); /* muted twice at once: the end state is the same */ }
        }
        else if (!mute && existing is not null)
        {
            db.ThreadMutes.Remove(existing);
            await db.SaveChangesAsync(ct);
        }
        return new MuteState(post.Id.ToString(CultureInfo.InvariantCulture), post.RootId.ToString(CultureInfo.InvariantCulture), mute);
    }

    public Task<bool> IsMutedAsync(Viewer viewer, long rootId, CancellationToken ct) =>
        db.ThreadMutes.AnyAsync(m => m.PersonId == viewer.Id && m.RootId == rootId, ct);

    /// <summary>Threads you muted whose root you can still see, most recently muted first.</summary>
    public async Task<IReadOnlyList<MutedThread>> MutedThreadsAsync(Viewer viewer, int limit, CancellationToken ct)
    {
        var mutes = await db.ThreadMutes.AsNoTracking().Where(m => m.PersonId == viewer.Id)
            .OrderByDescending(m => m.CreatedAt).Take(limit).ToListAsync(ct);
        var rootIds = mutes.Select(m => m.RootId).ToList();
        var roots = await db.Posts.AsNoTracking().VisibleTo(viewer).Where(p => rootIds.Contains(p.Id)).ToListAsync(ct);
        var rendered = (await posts.RenderAsync(roots, viewer, ct)).ToDictionary(d => d.Id);
        return mutes.Where(m => rendered.ContainsKey(m.RootId.ToString(CultureInfo.InvariantCulture)))
            .Select(m => new MutedThread(m.RootId.ToString(CultureInfo.InvariantCulture), rendered[m.RootId.ToString(CultureInfo.InvariantCulture)], m.CreatedAt))
            .ToList();
    }
}
