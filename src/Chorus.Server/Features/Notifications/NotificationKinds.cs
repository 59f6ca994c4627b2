namespace Chorus.Server.Features.Notifications;

/// <summary>The kinds of notification: stable names in URLs, JSON and preferences.</summary>
public static class NotificationKinds
{
    public const string Mention = "mention";
    public const string Reply = "reply";
    public const string Reaction = "reaction";
    public const string Share = "share";
    public const string Follow = "follow";
    public const string Announcement = "announcement";
    public const string Praise = "praise";
    public const string EventReminder = "event-reminder";

    public static readonly IReadOnlyList<string> All = [Mention, Reply, Reaction, Share, Follow, Announcement, Praise, EventReminder];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind);

    /// <summary>Kinds that collapse into one item per post ("Ada and 4 others reacted"); mentions and replies each stand alone.</summary>
    public static bool Groups(string kind) => kind is Reaction or Share or Follow;

    public static string Label(string kind) => kind switch
    {
        Mention => "Mentions of you",
        Reply => "Replies to your posts and threads you took part in",
        Reaction => "Reactions to your posts",
        Share => "Shares of your posts",
        Follow => "New followers",
        Announcement => "Announcements in your groups",
        Praise => "Praise for you",
        EventReminder => "Reminders of events you are going to",
        _ => kind,
    };
}
