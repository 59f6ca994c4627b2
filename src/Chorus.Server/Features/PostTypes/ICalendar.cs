using System.Globalization;
using System.Text;
using Chorus.Server.Data;

namespace Chorus.Server.Features.PostTypes;

/// <summary>
/// One event as an RFC 5545 iCalendar file. Times are written in UTC ("Z"), which every calendar accepts without a
/// VTIMEZONE block; the organizer's zone travels as X-WR-TIMEZONE for display.
/// </summary>
public static class ICalendar
{
    public const string ContentType = "text/calendar; charset=utf-8";

    public static string Write(CalendarEvent e, Post post, string origin, DateTime now)
    {
        var sb = new StringBuilder();
        void Line(string name, string value) => Fold(sb, name + ":" + value);
        Line("BEGIN", "VCALENDAR");
        Line("VERSION", "2.0");
        Line("PRODID", "-//Chorus//Events//EN");
        Line("CALSCALE", "GREGORIAN");
        Line("METHOD", "PUBLISH");
        Line("X-WR-TIMEZONE", Escape(e.TimeZone));
        Line("BEGIN", "VEVENT");
        Line("UID", $"event-{post.Id}@chorus");
        Line("DTSTAMP", Utc(now));
        Line("DTSTART", Utc(e.StartsAt));
        Line("DTEND", Utc(e.EndsAt));
        Line("SUMMARY", Escape(e.Title));
        var description = e.OnlineUrl is null ? e.Description : (e.Description.Length > 0 ? e.Description + "\n\n" : "") + "Join: " + e.OnlineUrl;
        if (description.Length > 0) Line("DESCRIPTION", Escape(description));
        if (e.Place is not null) Line("LOCATION", Escape(e.Place));
        Line("URL", $"{origin}/posts/{post.Id}");
        Line("END", "VEVENT");
        Line("END", "VCALENDAR");
        return sb.ToString();
    }

    static string Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines.</summary>
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\").Replace(";", "\\;").Replace(",", "\\,").Replace("\r\n", "\\n").Replace("\r", "\\n").Replace("\n", "\\n");

    /// <summary>Lines longer than 75 octets are folded with CRLF + space (RFC 5545 3.1), never inside a UTF-8 sequence.</summary>
    static void Fold(StringBuilder sb, string line)
    {
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > 75) { sb.Append("\r\n "); octets = 1; }
            sb.Append(rune.ToString());
            octets += size;
        }
        sb.Append("\r\n");
    }
}
