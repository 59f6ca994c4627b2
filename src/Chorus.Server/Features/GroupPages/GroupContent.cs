using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.GroupPages;

/// <summary>
/// The access rules every group-content surface (pages, FAQ, articles, files) shares, on top of <see cref="GroupAccess"/>:
/// secret groups you are not in answer 404 (GroupService.FindAsync), groups you may not read answer 403.
/// </summary>
public sealed class GroupContent(ChorusDb db, GroupService groups)
{
    public const string ReadForbidden = "Only the group's members can read it; ask to join.";

    public async Task<Outcome<GroupContext>> ReadAsync(Viewer viewer, string groupId, CancellationToken ct)
    {
        var context = await groups.FindAsync(viewer, groupId, ct);
        if (!context.Ok) return context.Problem!;
        var (group, mine) = context.Value!;
        if (!GroupAccess.CanRead(viewer, group, mine)) return Problem.Forbidden(ReadForbidden);
        return context.Value!;
    }

    /// <summary>Readable, and the viewer is a member (the all-company group: every member of the organization).</summary>
    public async Task<Outcome<GroupContext>> MemberAsync(Viewer viewer, string groupId, string doing, CancellationToken ct)
    {
        var context = await ReadAsync(viewer, groupId, ct);
        if (!context.Ok) return context;
        var (group, mine) = context.Value!;
        return GroupAccess.IsMember(viewer, group, mine) ? context : Problem.Forbidden($"Only members of the group can {doing}; join it first.");
    }

    /// <summary>Of the given groups, those whose content the viewer may read.</summary>
    public async Task<HashSet<long>> ReadableAsync(Viewer viewer, IEnumerable<long> groupIds, CancellationToken ct)
    {
        var ids = groupIds.Distinct().ToList();
        if (ids.Count == 0) return [];
        var found = await db.Groups.AsNoTracking().Where(g => ids.Contains(g.Id)).ToListAsync(ct);
        var mine = await db.GroupMembers.AsNoTracking().Where(m => m.PersonId == viewer.Id && ids.Contains(m.GroupId)).ToDictionaryAsync(m => m.GroupId, ct);
        return found.Where(g => GroupAccess.CanRead(viewer, g, mine.GetValueOrDefault(g.Id))).Select(g => g.Id).ToHashSet();
    }

    /// <summary>Posts of the all-company group are stored with a null group id.</summary>
    public static IQueryable<Post> InGroup(IQueryable<Post> posts, long groupId) =>
        groupId == Group.CompanyId ? posts.Where(p => p.GroupId == null) : posts.Where(p => p.GroupId == groupId);

    public static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParseId(string? raw, out long id) =>
        long.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id) && id > 0;
}

/// <summary>Long Markdown (pages, articles, FAQ answers) through the same sanitizing renderer as posts, with mentions resolved.</summary>
public sealed class LongText(ChorusDb db)
{
    public const int MaxBody = 100_000;

    public static Problem? Check(string field, string? text, int max, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(text)) return required ? Problem.Invalid(field, "must not be empty.") : null;
        if (text.Length > max) return Problem.Invalid(field, $"must be at most {max:N0} characters (it has {text.Length:N0}).");
        if (text.Contains('\0')) return Problem.Invalid(field, "must not contain NUL characters.");
        return null;
    }

    public async Task<string> RenderAsync(string markdown, CancellationToken ct)
    {
        if (markdown.Length == 0) return "";
        var candidates = PostText.CandidateMentions(markdown);
        var known = candidates.Count == 0 ? new Dictionary<string, string>() :
            await db.People.AsNoTracking().Where(p => candidates.Contains(p.HandleKey)).ToDictionaryAsync(p => p.HandleKey, p => p.Handle, ct);
        return PostText.Render(markdown, known).Html;
    }

    /// <summary>A plain-text opening of rendered HTML, cut at a word boundary.</summary>
    public static string Excerpt(string html, int max = 280)
    {
        // Block ends become spaces so paragraphs do not run together.
        var spaced = System.Text.RegularExpressions.Regex.Replace(html, "(</(p|li|blockquote|pre)>|<br>)", "$1 ");
        var text = new AngleSharp.Html.Parser.HtmlParser().ParseDocument("<body>" + spaced + "</body>").Body!.TextContent;
        var plain = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
        if (plain.Length <= max) return plain;
        var cut = plain.LastIndexOf(' ', max);
        var end = cut > max / 2 ? cut : max;
        if (char.IsHighSurrogate(plain[end - 1])) end--; // never split a character made of two UTF-16 units
        return plain[..end].TrimEnd() + "…";
    }
}
