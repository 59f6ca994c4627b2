using Chorus.Server.Features.People;

namespace Chorus.Server.Features.PostTypes;

public sealed record CreateAnnouncementRequest(string? Text);
public sealed record CreateQuestionRequest(string? Text);
/// <param name="ClosesAt">Optional UTC instant, in the future and at most a year away.</param>
public sealed record CreatePollRequest(string? Text, IReadOnlyList<string?>? Options, bool Multiple = false, DateTime? ClosesAt = null);
/// <param name="Recipients">1–20 handles.</param>
public sealed record CreatePraiseRequest(string? Text, IReadOnlyList<string?>? Recipients, string? Badge);
/// <param name="Start">Local date-time without offset, e.g. 2026-12-01T10:00, in <paramref name="TimeZone"/>.</param>
/// <param name="TimeZone">IANA id, e.g. Europe/Berlin.</param>
/// <param name="Text">Optional; the post shows the title when omitted.</param>
public sealed record CreateEventRequest(string? Title, string? Start, string? End, string? TimeZone, string? Place = null,
    string? OnlineUrl = null, string? Description = null, string? Text = null);

public sealed record BestAnswerRequest(string? ReplyId);
public sealed record VoteRequest(IReadOnlyList<int>? Options);
public sealed record RsvpRequest(string? Answer);

/// <param name="CanPin">Whether the viewer manages the announcement's group, and so may pin, unpin and see who saw it.</param>
public sealed record AnnouncementDetails(bool Pinned, int SeenCount, bool SeenByMe, bool CanPin = false);
public sealed record SeenByDto(int Count, IReadOnlyList<PersonSummary> People);

public sealed record QuestionDetails(bool Answered, string? BestAnswerId, DateTime? FirstReplyAt, long? SecondsToFirstReply,
    DateTime? AnsweredAt, long? SecondsToBestAnswer);

/// <param name="Votes">Null while results are hidden from this viewer.</param>
public sealed record PollOptionDto(int Index, string Text, int? Votes);
/// <param name="ResultsVisible">Results show once you have voted, to the poll's author, and to everyone after it closes.</param>
public sealed record PollDetails(bool Multiple, DateTime? ClosesAt, bool Closed, IReadOnlyList<PollOptionDto> Options,
    int? Voters, IReadOnlyList<int> MyVote, bool ResultsVisible);

public sealed record PraiseDetails(string Badge, string BadgeLabel, IReadOnlyList<PersonSummary> Recipients);

public sealed record RsvpCounts(int Yes, int Maybe, int No);
public sealed record EventDetails(string Title, string Start, string End, string TimeZone, DateTime StartsAt, DateTime EndsAt,
    string? Place, string? OnlineUrl, string Description, RsvpCounts Rsvps, string? MyAnswer, string IcsUrl);
public sealed record AttendeesDto(RsvpCounts Counts, IReadOnlyList<PersonSummary> Yes, IReadOnlyList<PersonSummary> Maybe, IReadOnlyList<PersonSummary> No);

/// <summary>The fixed set of praise badges: stable names in JSON, labels and emoji for display.</summary>
public static class Badges
{
    public static readonly IReadOnlyList<(string Name, string Emoji, string Label)> All =
    [
        ("thank-you", "🙏", "Thank you"), ("team-player", "🤝", "Team player"), ("above-and-beyond", "🚀", "Above and beyond"),
        ("problem-solver", "🧩", "Problem solver"), ("customer-hero", "🦸", "Customer hero"), ("innovator", "💡", "Innovator"),
        ("mentor", "🧭", "Mentor"), ("leader", "⭐", "Leader"),
    ];

    public static string? Normalize(string? badge) =>
        All.FirstOrDefault(b => string.Equals(b.Name, badge?.Trim(), StringComparison.OrdinalIgnoreCase)).Name;

    public static string Label(string name) => All.FirstOrDefault(b => b.Name == name).Label ?? name;
    public static string Emoji(string name) => All.FirstOrDefault(b => b.Name == name).Emoji ?? "";
}

public static class Rsvps
{
    public static string Name(RsvpAnswer a) => a switch { RsvpAnswer.Yes => "yes", RsvpAnswer.Maybe => "maybe", _ => "no" };

    public static RsvpAnswer? Parse(string? s) => s?.Trim().ToLowerInvariant() switch
    {
        "yes" => RsvpAnswer.Yes, "maybe" => RsvpAnswer.Maybe, "no" => RsvpAnswer.No, _ => null,
    };
}

public static class Durations
{
    /// <summary>"45 s", "12 min", "3 h", "2 d": how long an answer took, for people rather than machines.</summary>
    public static string Text(long seconds) => seconds switch
    {
        < 60 => $"{seconds} s",
        < 3600 => $"{seconds / 60} min",
        < 86_400 => $"{seconds / 3600} h",
        _ => $"{seconds / 86_400} d",
    };
}
