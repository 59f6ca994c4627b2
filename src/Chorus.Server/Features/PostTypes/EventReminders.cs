using Chorus.Server.Data;
using Chorus.Server.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>The "Chorus:Events" settings.</summary>
public sealed class EventOptions
{
    /// <summary>How long before an event starts its "yes" and "maybe" people are reminded.</summary>
    public int ReminderLeadMinutes { get; set; } = 60;
    /// <summary>How often the reminder job looks for events that are due.</summary>
    public int ReminderPollSeconds { get; set; } = 60;
}

/// <summary>
/// Sends each event's reminder once. Claiming the event (reminder_sent_at, set only where it is still null) and
/// writing its notifications happen in one transaction, so two server nodes never both remind, and a failure
/// leaves the event unclaimed for the next round.
/// </summary>
public sealed class EventReminderService(ChorusDb db, NotificationWriter notifications, EventOptions options)
{
    const int MaxEventsPerRound = 100;

    public async Task<int> SendDueAsync(DateTime now, CancellationToken ct)
    {
        var horizon = now.AddMinutes(options.ReminderLeadMinutes);
        // Events that already started are skipped: a reminder after the start (say, after downtime) helps nobody.
        var due = await db.Set<CalendarEvent>().AsNoTracking()
            .Where(e => e.ReminderSentAt == null && e.StartsAt <= horizon && e.StartsAt > now)
            .OrderBy(e => e.StartsAt).Select(e => e.PostId).Take(MaxEventsPerRound).ToListAsync(ct);
        var sent = 0;
        foreach (var postId in due)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var claimed = await db.Set<CalendarEvent>().Where(e => e.PostId == postId && e.ReminderSentAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.ReminderSentAt, now), ct);
            if (claimed == 0) continue;
            var post = await db.Posts.AsNoTracking().FirstAsync(p => p.Id == postId, ct);
            if (post.DeletedAt is null)
            {
                var going = await db.Set<EventRsvp>().AsNoTracking()
                    .Where(r => r.PostId == postId && (r.Answer == RsvpAnswer.Yes || r.Answer == RsvpAnswer.Maybe))
                    .Select(r => r.PersonId).ToListAsync(ct);
                // The organizer is the actor; the writer skips the actor, so organizers are not reminded of their own events.
                await notifications.AddAsync(NotificationKinds.EventReminder, post.AuthorId, going, post, now, ct);
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
            sent++;
        }
        return sent;
    }
}

public sealed class EventReminders(IServiceScopeFactory scopes, EventOptions options, TimeProvider clock, ILogger<EventReminders> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.ReminderPollSeconds)));
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var sent = await scope.ServiceProvider.GetRequiredService<EventReminderService>().SendDueAsync(clock.GetUtcNow().UtcDateTime, stop);
                if (sent > 0) log.LogInformation("Sent reminders for {Count} events", sent);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Event reminders failed; will retry");
            }
        }
    }
}
