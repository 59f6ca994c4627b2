using Chorus.Server.Data;
using Chorus.Server.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>The "Chorus:Announcements" settings.</summary>
public sealed class AnnouncementOptions
{
    /// <summary>How many members are notified per transaction: the first batch with the announcement, the rest in the background.</summary>
    public int NotifyBatch { get; set; } = 1000;
}

/// <summary>Wakes <see cref="AnnouncementFanoutJob"/> when this node made an announcement that still has members to notify.</summary>
public sealed class AnnouncementFanoutSignal : Realtime.WakeSignal;

/// <summary>
/// Notifies every member of an announcement's audience (the group's members, or everyone in the organization for a
/// company-wide one), in batches of <see cref="AnnouncementOptions.NotifyBatch"/> ordered by person id. The cursor
/// (<c>announcements.notify_after</c>) moves in the same transaction as the batch's notifications, and only from
/// the value the batch was read at: two nodes working on one announcement cannot both notify a batch, and a node
/// that dies mid-batch leaves the cursor where the next one picks up.
/// </summary>
public sealed class AnnouncementFanout(ChorusDb db, NotificationWriter notifications, AnnouncementFanoutSignal signal, AnnouncementOptions options, TimeProvider clock)
{
    /// <summary>Slices handed to the notification writer: keeps each IN list well under both databases' parameter limits.</summary>
    const int Slice = 500;

    public void Wake() => signal.Raise();

    /// <summary>
    /// Adds the notifications of the next batch of recipients after person id <paramref name="after"/> (saved by the
    /// caller's transaction). Returns the last person id of the batch when more may follow, null when none remain.
    /// </summary>
    public async Task<long?> NotifyBatchAsync(Post post, long after, DateTime now, CancellationToken ct)
    {
        var recipients = await RecipientsAsync(post, after, ct);
        await WriteAsync(post, recipients, now, ct);
        return Next(recipients);
    }

    /// <summary>Notifies one more batch of an announcement still being sent. False when it is done (or another node took this batch).</summary>
    public async Task<bool> ContinueAsync(long postId, CancellationToken ct)
    {
        var after = await db.Set<Announcement>().AsNoTracking().Where(a => a.PostId == postId).Select(a => a.NotifyAfter).FirstOrDefaultAsync(ct);
        if (after is null) return false;
        var post = await db.Posts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == postId, ct);
        var recipients = post is null || post.DeletedAt is not null ? [] : await RecipientsAsync(post, after.Value, ct);
        var next = Next(recipients);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Compare and set: on PostgreSQL a second node blocks on the row here and then finds the cursor moved.
        var moved = await db.Set<Announcement>().Where(a => a.PostId == postId && a.NotifyAfter == after)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotifyAfter, next), ct);
        if (moved == 0) return false;
        if (post is not null) await WriteAsync(post, recipients, clock.GetUtcNow().UtcDateTime, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return next is not null;
    }

    /// <summary>Announcements with members still to notify, oldest first.</summary>
    public Task<List<long>> PendingAsync(int limit, CancellationToken ct) =>
        db.Set<Announcement>().AsNoTracking().Where(a => a.NotifyAfter != null).OrderBy(a => a.PostId).Select(a => a.PostId).Take(limit).ToListAsync(ct);

    long? Next(List<long> recipients) => recipients.Count < options.NotifyBatch ? null : recipients[^1];

    Task<List<long>> RecipientsAsync(Post post, long after, CancellationToken ct) => post.GroupId is { } gid
        ? db.GroupMembers.AsNoTracking().Where(m => m.GroupId == gid && m.State == MembershipState.Member && m.PersonId > after)
            .OrderBy(m => m.PersonId).Select(m => m.PersonId).Take(options.NotifyBatch).ToListAsync(ct)
        : db.People.AsNoTracking().Where(p => p.DeactivatedAt == null && p.Role != PersonRole.Guest && p.Id > after)
            .OrderBy(p => p.Id).Select(p => p.Id).Take(options.NotifyBatch).ToListAsync(ct);

    async Task WriteAsync(Post post, List<long> recipients, DateTime now, CancellationToken ct)
    {
        // The writer leaves out the author, the deactivated, those who switched announcements off, and anyone the
        // visibility rule says cannot see the post.
        foreach (var slice in recipients.Chunk(Slice))
            await notifications.AddAsync(NotificationKinds.Announcement, post.AuthorId, slice, post, now, ct);
    }
}

/// <summary>Sends the rest of every announcement's notifications, a batch per transaction, on every node (safely at once).</summary>
public sealed class AnnouncementFanoutJob(IServiceScopeFactory scopes, AnnouncementFanoutSignal signal, ILogger<AnnouncementFanoutJob> log) : BackgroundService
{
    static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    /// <summary>Batches per announcement per round, so one huge announcement does not hold up the others.</summary>
    const int BatchesPerRound = 10;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(Poll, stop);
                await using var scope = scopes.CreateAsyncScope();
                var fanout = scope.ServiceProvider.GetRequiredService<AnnouncementFanout>();
                foreach (var postId in await fanout.PendingAsync(20, stop))
                    for (var i = 0; i < BatchesPerRound && await fanout.ContinueAsync(postId, stop); i++) { }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                log.LogWarning(e, "Announcement notifications failed; will retry");
                await Task.Delay(Poll, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
