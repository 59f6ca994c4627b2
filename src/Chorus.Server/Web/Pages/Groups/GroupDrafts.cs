using Chorus.Server.Features.PostTypes;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Web.Pages.Groups;

/// <summary>What was typed into the poll form, kept when the post is refused. The form has fixed option slots; empty ones are left out.</summary>
public sealed record PollDraft(string? Text = null, IReadOnlyList<string?>? Options = null, bool Multiple = false, string? ClosesAt = null, string? ClosesZone = null)
{
    public const int Slots = PollService.MaxOptions, ShownSlots = 4;

    public string? Option(int slot) => Options is { } o && slot < o.Count ? o[slot] : null;

    public IReadOnlyList<string?> Filled => (Options ?? []).Where(o => !string.IsNullOrWhiteSpace(o)).ToList();

    /// <summary>The closing time typed as a local date-time in a zone, as the UTC instant the service takes.</summary>
    public Outcome<DateTime?> ClosingTime()
    {
        if (string.IsNullOrWhiteSpace(ClosesAt)) return (DateTime?)null;
        var zone = EventService.Zone(ClosesZone, "closesZone");
        if (!zone.Ok) return zone.Problem!;
        var local = EventService.ParseLocal(ClosesAt, "closesAt", zone.Value!);
        if (!local.Ok) return local.Problem!;
        return DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeToUtc(local.Value, zone.Value!), DateTimeKind.Utc);
    }
}

/// <summary>What was typed into the praise form: handles as one line, as on the members page.</summary>
public sealed record PraiseDraft(string? Text = null, string? Recipients = null, string? Badge = null)
{
    public IReadOnlyList<string?> Handles => (Recipients ?? "").Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
}

public static class TimeZones
{
    /// <summary>Suggestions for the time zone fields; any IANA id is accepted.</summary>
    public static readonly IReadOnlyList<string> Common =
    [
        "UTC", "Europe/London", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Warsaw", "Europe/Helsinki",
        "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
        "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
    ];
}
