using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.GroupPages;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Files;

/// <summary>Files → API JSON in batches, with the posts and pages that use each (only those the viewer may see).</summary>
public sealed class FileRenderer(ChorusDb db, PersonRenderer people, GroupContent content)
{
    public async Task<List<FileDto>> RenderAsync(Viewer viewer, IReadOnlyList<StoredFile> files, CancellationToken ct)
    {
        if (files.Count == 0) return [];
        var ids = files.Select(f => f.Id).ToList();
        var uploaders = await people.SummariesAsync(files.Select(f => f.UploaderId), ct);

        var postUses = await (from u in db.FileUses
                              join p in db.Posts.VisibleTo(viewer) on u.PostId equals p.Id
                              join a in db.Articles on p.Id equals a.PostId into articles
                              from a in articles.DefaultIfEmpty()
                              where ids.Contains(u.FileId)
                              select new { u.FileId, p.Id, p.GroupId, p.Text, Title = a != null ? a.Title : null }).ToListAsync(ct);
        var pageUses = await (from u in db.FileUses
                              join p in db.GroupPages on u.PageId equals p.Id
                              where ids.Contains(u.FileId)
                              select new { u.FileId, p.Id, p.GroupId, p.Slug, p.Title }).ToListAsync(ct);
        var readable = await content.ReadableAsync(viewer, pageUses.Select(p => p.GroupId), ct);

        var uses = postUses.Select(p => (p.FileId, Use: p.Title is not null
                ? new FileUseDto("article", GroupContent.Id(p.Id), p.Title, ArticleUrl(p.GroupId, p.Id))
                : new FileUseDto("post", GroupContent.Id(p.Id), Snippet(p.Text), $"/posts/{p.Id}")))
            .Concat(pageUses.Where(p => readable.Contains(p.GroupId))
                .Select(p => (p.FileId, Use: new FileUseDto("page", GroupContent.Id(p.Id), p.Title, $"/groups/{p.GroupId}/pages/{p.Slug}"))))
            .ToLookup(x => x.FileId, x => x.Use);

        return files.Select(f => new FileDto(
            GroupContent.Id(f.Id), GroupContent.Id(f.GroupId), f.Name, f.ContentType.Split(';')[0], f.Size, f.Width, f.Height,
            FileService.Url(f),
            uploaders.TryGetValue(f.UploaderId, out var u) ? u : new PersonSummary(GroupContent.Id(f.UploaderId), "unknown", "Unknown", null, null, null, false),
            f.CreatedAt, uses[f.Id].ToList())).ToList();
    }

    public static string ArticleUrl(long? groupId, long postId) => $"/groups/{groupId ?? Data.Group.CompanyId}/articles/{postId}";

    static string Snippet(string text) => text.Length <= 80 ? text : text[..80].TrimEnd() + "…";
}
