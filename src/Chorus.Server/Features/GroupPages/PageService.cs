using System.Text.RegularExpressions;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Files;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.GroupPages;

/// <summary>
/// A group's wiki: pages any member may write, every save kept as a numbered revision. A save names the revision it
/// started from; if someone saved since, it is refused as an edit conflict (and the caller still has its text).
/// </summary>
public sealed partial class PageService(ChorusDb db, IdGenerator ids, TimeProvider clock, LongText text, FileService files,
    FileRenderer fileRenderer, PersonRenderer people)
{
    public const int MaxTitle = 200, MaxSlug = 80;
    public const string ConflictKind = "edit-conflict";

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    public static string Url(long groupId, string slug) => $"/groups/{groupId}/pages/{slug}";

    public async Task<List<PageSummaryDto>> ListAsync(GroupContext context, CancellationToken ct)
    {
        var pages = await db.GroupPages.AsNoTracking().Where(p => p.GroupId == context.Group.Id).OrderBy(p => p.Title).Take(1000).ToListAsync(ct);
        var who = await people.SummariesAsync(pages.Select(p => p.UpdatedBy), ct);
        return pages.Select(p => new PageSummaryDto(GroupContent.Id(p.Id), p.Slug, p.Title, p.Revision, Person(who, p.UpdatedBy), p.UpdatedAt, Url(p.GroupId, p.Slug))).ToList();
    }

    public async Task<Outcome<GroupPage>> GetAsync(GroupContext context, string slug, CancellationToken ct) =>
        await db.GroupPages.AsNoTracking().FirstOrDefaultAsync(p => p.GroupId == context.Group.Id && p.Slug == slug, ct) is { } page
            ? page : Problem.NotFound("The page");

    public async Task<Outcome<GroupPage>> CreateAsync(Viewer viewer, GroupContext context, CreatePageRequest request, CancellationToken ct)
    {
        if ((CheckTitle(request.Title) ?? CheckBody(request.Body)) is { } problem) return problem;
        var title = request.Title!.Trim();
        var gid = context.Group.Id;
        string slug;
        if (request.Slug is not null)
        {
            slug = request.Slug.Trim();
            if (slug.Length > MaxSlug || !SlugPattern().IsMatch(slug) || slug == "new")
                return Problem.Invalid("slug", $"must be lower-case letters, digits and single dashes, at most {MaxSlug} characters (and not 'new').");
            if (await db.GroupPages.AnyAsync(p => p.GroupId == gid && p.Slug == slug, ct)) return SlugTaken(slug);
        }
        else
        {
            var stem = SlugOf(title);
            var taken = (await db.GroupPages.Where(p => p.GroupId == gid && p.Slug.StartsWith(stem)).Select(p => p.Slug).ToListAsync(ct)).ToHashSet();
            slug = stem;
            for (var n = 2; taken.Contains(slug) || slug == "new"; n++) slug = $"{stem}-{n}";
        }
        var attach = await files.ResolveAsync(request.FileIds, gid, ct);
        if (!attach.Ok) return attach.Problem!;

        var now = clock.GetUtcNow().UtcDateTime;
        var page = new GroupPage
        {
            Id = ids.Next(), GroupId = gid, Slug = slug, Title = title, Body = request.Body!, Html = await text.RenderAsync(request.Body!, ct),
            Revision = 1, CreatedBy = viewer.Id, CreatedAt = now, UpdatedBy = viewer.Id, UpdatedAt = now,
        };
        db.GroupPages.Add(page);
        db.PageRevisions.Add(new PageRevision { PageId = page.Id, Number = 1, Title = title, Body = page.Body, AuthorId = viewer.Id, CreatedAt = now });
        await files.AddUsesAsync(attach.Value!.Select(f => f.Id), null, page.Id, ct);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return SlugTaken(slug);
        }
        return page;
    }

    public Task<Outcome<GroupPage>> SaveAsync(Viewer viewer, GroupContext context, string slug, SavePageRequest request, CancellationToken ct)
    {
        if ((CheckTitle(request.Title) ?? CheckBody(request.Body)) is { } problem) return Task.FromResult<Outcome<GroupPage>>(problem);
        if (request.BaseRevision is not { } baseRevision)
            return Task.FromResult<Outcome<GroupPage>>(Problem.Invalid("baseRevision", "is required: the revision your edit started from."));
        return WriteAsync(viewer, context, slug, request.Title!.Trim(), request.Body!, baseRevision, null, request.FileIds, ct);
    }

    /// <summary>Makes an old revision's text current again, as a new revision; history is never rewritten.</summary>
    public async Task<Outcome<GroupPage>> RestoreAsync(Viewer viewer, GroupContext context, string slug, int number, int? baseRevision, CancellationToken ct)
    {
        var page = await GetAsync(context, slug, ct);
        if (!page.Ok) return page;
        var old = await db.PageRevisions.AsNoTracking().FirstOrDefaultAsync(r => r.PageId == page.Value!.Id && r.Number == number, ct);
        if (old is null) return Problem.NotFound("The revision");
        return await WriteAsync(viewer, context, slug, old.Title, old.Body, baseRevision ?? page.Value!.Revision, number, null, ct);
    }

    async Task<Outcome<GroupPage>> WriteAsync(Viewer viewer, GroupContext context, string slug, string title, string body, int baseRevision,
        int? restoredFrom, IReadOnlyList<string>? fileIds, CancellationToken ct)
    {
        var gid = context.Group.Id;
        var page = await db.GroupPages.FirstOrDefaultAsync(p => p.GroupId == gid && p.Slug == slug, ct);
        if (page is null) return Problem.NotFound("The page");
        if (page.Revision != baseRevision) return EditConflict(page.Revision);
        var attach = await files.ResolveAsync(fileIds, gid, ct);
        if (!attach.Ok) return attach.Problem!;
        await files.AddUsesAsync(attach.Value!.Select(f => f.Id), null, page.Id, ct);

        var unchanged = page.Title == title && page.Body == body && restoredFrom is null;
        if (!unchanged)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            page.Revision = baseRevision + 1;
            page.Title = title;
            page.Body = body;
            page.Html = await text.RenderAsync(body, ct);
            page.UpdatedBy = viewer.Id;
            page.UpdatedAt = now;
            db.PageRevisions.Add(new PageRevision
            {
                PageId = page.Id, Number = page.Revision, Title = title, Body = body, AuthorId = viewer.Id, CreatedAt = now, RestoredFrom = restoredFrom,
            });
        }
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            // Someone saved between our read and our write: the revision check in the UPDATE (or the revision's key) caught it.
            db.ChangeTracker.Clear();
            var current = await db.GroupPages.AsNoTracking().Where(p => p.Id == page.Id).Select(p => p.Revision).FirstAsync(ct);
            return EditConflict(current);
        }
        return page;
    }

    public async Task<Outcome<List<PageRevisionDto>>> RevisionsAsync(GroupContext context, string slug, CancellationToken ct)
    {
        var page = await GetAsync(context, slug, ct);
        if (!page.Ok) return page.Problem!;
        var revisions = await db.PageRevisions.AsNoTracking().Where(r => r.PageId == page.Value!.Id).OrderByDescending(r => r.Number).Take(1000).ToListAsync(ct);
        var who = await people.SummariesAsync(revisions.Select(r => r.AuthorId), ct);
        return revisions.Select(r => new PageRevisionDto(r.Number, r.Title, Person(who, r.AuthorId), r.CreatedAt, r.RestoredFrom, r.Number == page.Value!.Revision)).ToList();
    }

    public async Task<Outcome<PageRevisionDto>> RevisionAsync(GroupContext context, string slug, int number, CancellationToken ct)
    {
        var page = await GetAsync(context, slug, ct);
        if (!page.Ok) return page.Problem!;
        var r = await db.PageRevisions.AsNoTracking().FirstOrDefaultAsync(r => r.PageId == page.Value!.Id && r.Number == number, ct);
        if (r is null) return Problem.NotFound("The revision");
        var who = await people.SummariesAsync([r.AuthorId], ct);
        return new PageRevisionDto(r.Number, r.Title, Person(who, r.AuthorId), r.CreatedAt, r.RestoredFrom, r.Number == page.Value!.Revision,
            r.Body, await text.RenderAsync(r.Body, ct));
    }

    public async Task<Outcome<PageDiffDto>> DiffAsync(GroupContext context, string slug, int? from, int? to, CancellationToken ct)
    {
        if (from is null) return Problem.BadRequest("from", "is required: a revision number.");
        var page = await GetAsync(context, slug, ct);
        if (!page.Ok) return page.Problem!;
        var target = to ?? page.Value!.Revision;
        var pid = page.Value!.Id;
        var pair = await db.PageRevisions.AsNoTracking().Where(r => r.PageId == pid && (r.Number == from || r.Number == target)).ToListAsync(ct);
        var a = pair.FirstOrDefault(r => r.Number == from);
        var b = pair.FirstOrDefault(r => r.Number == target);
        if (a is null) return Problem.NotFound($"Revision {from}");
        if (b is null) return Problem.NotFound($"Revision {target}");
        var lines = LineDiff.Compute(a.Body, b.Body);
        return new PageDiffDto(a.Number, b.Number, lines, lines.Count(l => l.Op == "add"), lines.Count(l => l.Op == "remove"));
    }

    public async Task<PageDto> RenderAsync(GroupPage p, Viewer viewer, CancellationToken ct)
    {
        var who = await people.SummariesAsync([p.CreatedBy, p.UpdatedBy], ct);
        var attached = await db.Files.AsNoTracking().Where(f => db.FileUses.Any(u => u.PageId == p.Id && u.FileId == f.Id)).OrderBy(f => f.Id).ToListAsync(ct);
        return new PageDto(GroupContent.Id(p.Id), GroupContent.Id(p.GroupId), p.Slug, p.Title, p.Body, p.Html, p.Revision,
            Person(who, p.CreatedBy), p.CreatedAt, Person(who, p.UpdatedBy), p.UpdatedAt, Url(p.GroupId, p.Slug),
            await fileRenderer.RenderAsync(viewer, attached, ct));
    }

    public static string SlugOf(string title)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var c in title.Normalize(System.Text.NormalizationForm.FormD).ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark) continue;
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        if (slug.Length > MaxSlug - 4) slug = slug[..(MaxSlug - 4)].Trim('-');
        return slug.Length == 0 ? "page" : slug;
    }

    static Problem? CheckTitle(string? title)
    {
        if (string.IsNullOrWhiteSpace(title)) return Problem.Invalid("title", "must not be empty.");
        return title.Trim().Length > MaxTitle ? Problem.Invalid("title", $"must be at most {MaxTitle} characters.") : null;
    }

    static Problem? CheckBody(string? body) =>
        body is null ? Problem.Invalid("body", "is required (it may be empty).") : LongText.Check("body", body, LongText.MaxBody, required: false);

    static Problem SlugTaken(string slug) => Problem.Conflict("slug-taken", $"The group already has a page at '{slug}'.");

    static Problem EditConflict(int current) =>
        Problem.Conflict(ConflictKind, $"Someone saved revision {current} while you were editing. Your text was not saved; compare it with the current revision and save again.");

    static PersonSummary Person(Dictionary<long, PersonSummary> who, long id) =>
        who.TryGetValue(id, out var p) ? p : new PersonSummary(GroupContent.Id(id), "unknown", "Unknown", null, null, null, false);
}
