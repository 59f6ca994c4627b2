using System.Globalization;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Web;

/// <summary>Small formatting rules shared by the pages. Times are rendered in UTC on the server; app.js re-renders them in the viewer's locale.</summary>
public static class Display
{
    public static string Initials(string name)
    {
        var parts = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return "?";
        var first = char.ToUpperInvariant(parts[0][0]);
        return parts.Length == 1 ? first.ToString() : $"{first}{char.ToUpperInvariant(parts[^1][0])}";
    }

    /// <summary>A stable hue per person, so initials circles are told apart without depending on colour alone.</summary>
    public static int AvatarHue(string handle)
    {
        var h = 0;
        foreach (var c in handle) h = (h * 31 + c) & 0x7fffffff;
        return h % 8;
    }

    public static string Iso(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string Exact(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Relative(DateTime utc, DateTime now)
    {
        var d = now - utc;
        if (d < TimeSpan.FromMinutes(1)) return "now";
        if (d < TimeSpan.FromHours(1)) return $"{(int)d.TotalMinutes} min";
        if (d < TimeSpan.FromDays(1)) return $"{(int)d.TotalHours} h";
        if (d < TimeSpan.FromDays(7)) return $"{(int)d.TotalDays} d";
        return utc.ToString(utc.Year == now.Year ? "d MMM" : "d MMM yyyy", CultureInfo.InvariantCulture);
    }

    public static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A problem in plain words for a page: field messages that are fragments ("must not be empty.") get the field's name in front.</summary>
    public static string Describe(Problem problem) =>
        problem.Errors is { Count: > 0 } errors
            ? string.Join(" ", errors.Select(e => Describe(e.Key, e.Value)))
            : problem.Detail ?? problem.Title;

    /// <summary>One field's messages in plain words.</summary>
    public static string Describe(string field, IEnumerable<string> messages) =>
        string.Join(" ", messages.Select(v => v.Length > 0 && char.IsUpper(v[0]) ? v : $"{FieldName(field)} {v}"));

    static string FieldName(string key) => key switch
    {
        "displayName" => "The name",
        "jobTitle" => "The title",
        "text" => "The text",
        "timeZone" or "closesZone" => "The time zone",
        "onlineUrl" => "The online link",
        "closesAt" => "The closing time",
        "recipients" => "The people",
        _ when key.StartsWith("options[", StringComparison.Ordinal) && int.TryParse(key[8..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var i) => $"Option {i + 1}",
        _ => "The " + key,
    };

    /// <summary>Only same-site relative paths are followed after a form post, so no form can be turned into an open redirect.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
