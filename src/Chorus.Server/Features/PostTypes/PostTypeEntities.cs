using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>An announcement's own row: where it is pinned (its group; null = all-company) and whether it still is.</summary>
public sealed class Announcement
{
    public long PostId { get; set; }
    public long? GroupId { get; set; }
    public DateTime? PinnedAt { get; set; }
    public long? PinnedBy { get; set; }
    /// <summary>The last person id notified so far while more members remain to be notified; null once all were.</summary>
    public long? NotifyAfter { get; set; }
}

public sealed class AnnouncementView
{
    public long PostId { get; set; }
    public long PersonId { get; set; }
    public DateTime SeenAt { get; set; }
}

public sealed class Question
{
    public long PostId { get; set; }
    public long AskerId { get; set; }
    public long? BestAnswerId { get; set; }
    public DateTime? FirstReplyAt { get; set; }
    public DateTime? AnsweredAt { get; set; }
}

public sealed class Poll
{
    public long PostId { get; set; }
    public bool Multiple { get; set; }
    public DateTime? ClosesAt { get; set; }
}

public sealed class PollOption
{
    public long PostId { get; set; }
    public int Position { get; set; }
    public required string Text { get; set; }
}

public sealed class PollVote
{
    public long PostId { get; set; }
    public long PersonId { get; set; }
    public int Position { get; set; }
    public DateTime VotedAt { get; set; }
}

public sealed class Praise
{
    public long PostId { get; set; }
    public required string Badge { get; set; }
}

public sealed class PraiseRecipient
{
    public long PostId { get; set; }
    public long PersonId { get; set; }
}

public sealed class CalendarEvent
{
    public long PostId { get; set; }
    public required string Title { get; set; }
    /// <summary>Wall-clock start as entered, ISO 8601 without offset, in <see cref="TimeZone"/>.</summary>
    public required string StartsLocal { get; set; }
    public required string EndsLocal { get; set; }
    /// <summary>IANA time zone id.</summary>
    public required string TimeZone { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    public string? Place { get; set; }
    public string? OnlineUrl { get; set; }
    public required string Description { get; set; }
    public DateTime? ReminderSentAt { get; set; }
}

public enum RsvpAnswer { Yes = 0, Maybe = 1, No = 2 }

public sealed class EventRsvp
{
    public long PostId { get; set; }
    public long PersonId { get; set; }
    public RsvpAnswer Answer { get; set; }
    public DateTime AnsweredAt { get; set; }
}

/// <summary>The post types' tables in the one model; ChorusDb calls <see cref="Configure"/>.</summary>
public static class PostTypeModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<Announcement>(e => { e.ToTable("announcements"); e.HasKey(x => x.PostId); e.Property(x => x.PostId).ValueGeneratedNever(); });
        b.Entity<AnnouncementView>(e => { e.ToTable("announcement_views"); e.HasKey(x => new { x.PostId, x.PersonId }); });
        b.Entity<Question>(e => { e.ToTable("questions"); e.HasKey(x => x.PostId); e.Property(x => x.PostId).ValueGeneratedNever(); });
        b.Entity<Poll>(e => { e.ToTable("polls"); e.HasKey(x => x.PostId); e.Property(x => x.PostId).ValueGeneratedNever(); });
        b.Entity<PollOption>(e => { e.ToTable("poll_options"); e.HasKey(x => new { x.PostId, x.Position }); });
        b.Entity<PollVote>(e => { e.ToTable("poll_votes"); e.HasKey(x => new { x.PostId, x.PersonId, x.Position }); });
        b.Entity<Praise>(e => { e.ToTable("praise"); e.HasKey(x => x.PostId); e.Property(x => x.PostId).ValueGeneratedNever(); });
        b.Entity<PraiseRecipient>(e => { e.ToTable("praise_recipients"); e.HasKey(x => new { x.PostId, x.PersonId }); });
        b.Entity<CalendarEvent>(e => { e.ToTable("calendar_events"); e.HasKey(x => x.PostId); e.Property(x => x.PostId).ValueGeneratedNever(); });
        b.Entity<EventRsvp>(e => { e.ToTable("event_rsvps"); e.HasKey(x => new { x.PostId, x.PersonId }); });

        // Each kind's rows reference their post, so EF inserts the post first within one SaveChanges.
        b.Entity<Announcement>().HasOne<Data.Post>().WithOne().HasForeignKey<Announcement>(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<AnnouncementView>().HasOne<Data.Post>().WithMany().HasForeignKey(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Question>().HasOne<Data.Post>().WithOne().HasForeignKey<Question>(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Poll>().HasOne<Data.Post>().WithOne().HasForeignKey<Poll>(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PollOption>().HasOne<Data.Post>().WithMany().HasForeignKey(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PollVote>().HasOne<Data.Post>().WithMany().HasForeignKey(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Praise>().HasOne<Data.Post>().WithOne().HasForeignKey<Praise>(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PraiseRecipient>().HasOne<Data.Post>().WithMany().HasForeignKey(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<CalendarEvent>().HasOne<Data.Post>().WithOne().HasForeignKey<CalendarEvent>(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<EventRsvp>().HasOne<Data.Post>().WithMany().HasForeignKey(x => x.PostId).OnDelete(DeleteBehavior.Restrict);
    }
}
