using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.GroupPages;
using Chorus.Server.Features.Groups;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Files;

/// <summary>
/// Uploads (streamed to disk, typed by content), who may fetch a file, and which posts and pages use it.
/// A file is served to whoever may read its group, or may see a post or page that uses it; never when its group is deleted.
/// </summary>
public sealed class FileService(ChorusDb db, IdGenerator ids, TimeProvider clock, FileSettings settings, FileStore store, GroupContent content)
{
    public const int MaxName = 200, MaxAttach = 20;

    public static string Url(StoredFile f) => $"/files/{f.Id}/{Uri.EscapeDataString(f.Name)}";

    /// <summary>
    /// Streams <paramref name="body"/> to a temporary file, counting bytes (413 past the limit, before reading
    /// further), checking text as it goes and keeping the head for the signature; then decides the type and keeps it.
    /// </summary>
    public async Task<Outcome<StoredFile>> UploadAsync(Viewer viewer, GroupContext context, Stream body, string? rawName, string? claimedType, CancellationToken ct)
    {
        var name = CleanName(rawName);
        if (name is null) return Problem.Invalid("name", "The file needs a name: send it in Content-Disposition (filename) or the 'name' field.");
        if (name.Length > MaxName) return Problem.Invalid("name", $"must be at most {MaxName} characters.");
        var claim = claimedType?.Split(';')[0].Trim();
        // Tools such as curl label any raw body as a form; that says nothing about the file, so it is no claim.
        if (string.Equals(claim, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) claim = null;

        var temp = store.CreateTemp(out var tempPath);
        var keep = false;
        try
        {
            var head = new byte[FileTypes.HeadBytes];
            var headLength = 0;
            var text = new TextCheck();
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                total += read;
                if (total > settings.MaxBytes)
                    return Problem.TooLarge("file", $"A file may be at most {settings.MaxBytes:N0} bytes.");
                if (headLength < head.Length)
                {
                    var n = Math.Min(read, head.Length - headLength);
                    buffer.AsSpan(0, n).CopyTo(head.AsSpan(headLength));
                    headLength += n;
                }
                text.Add(buffer.AsSpan(0, read), final: false);
                await temp.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            text.Add([], final: true);
            if (total == 0) return Problem.Invalid("file", "The file is empty.");
            await temp.FlushAsync(ct);

            var extension = Path.GetExtension(name) is { Length: > 0 } e ? e.ToLowerInvariant() : null;
            var sniffed = FileTypes.DetectBinary(head.AsSpan(0, headLength));
            if (sniffed is null && FileTypes.IsZip(head.AsSpan(0, headLength)))
            {
                temp.Position = 0;
                sniffed = FileTypes.DetectOffice(temp) is { } office ? new Sniffed(office) : null;
            }
            if (sniffed is null && text.IsText) sniffed = new Sniffed(FileTypes.TextType(extension, claim));
            if (sniffed is null)
                return Problem.Unsupported("file", "Allowed are PNG, JPEG, GIF and WebP images, PDF, Word, Excel and PowerPoint documents, and UTF-8 text or CSV.");
            if (sniffed.Type.IsImage && sniffed.Width is null or 0)
                return Problem.Unsupported("file", "The image's header cannot be read; the file is damaged or not what it claims to be.");
            if (!sniffed.Type.Agrees(extension, claim))
                return Problem.Unsupported("file", $"The content is {sniffed.Type.ContentType.Split(';')[0]}, which does not match the name '{name}' or the type '{claim}'.");
            await temp.DisposeAsync();

            var file = new StoredFile
            {
                Id = ids.Next(), GroupId = context.Group.Id, UploaderId = viewer.Id, Name = name, ContentType = sniffed.Type.ContentType,
                Size = total, Width = sniffed.Width, Height = sniffed.Height, StorageKey = store.Commit(tempPath),
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            keep = true;
            db.Files.Add(file);
            try { await db.SaveChangesAsync(ct); }
            catch
            {
                FileStore.TryDelete(store.PathOf(file.StorageKey));
                throw;
            }
            return file;
        }
        finally
        {
            await temp.DisposeAsync();
            if (!keep) FileStore.TryDelete(tempPath);
        }
    }

    /// <summary>The last path segment, without control characters; null when nothing is left.</summary>
    public static string? CleanName(string? raw)
    {
        if (raw is null) return null;
        var last = raw.Replace('\\', '/').Split('/').Last();
        var clean = new string(last.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or '*' or '?' or ':')).ToArray()).Trim().TrimStart('.');
        return clean.Length == 0 ? null : clean;
    }

    public async Task<StoredFile?> FindVisibleAsync(Viewer viewer, string id, CancellationToken ct)
    {
        if (!GroupContent.TryParseId(id, out var fid)) return null;
        var file = await db.Files.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fid, ct);
        if (file is null) return null;
        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == file.GroupId, ct);
        if (group is null || group.DeletedAt is not null) return null;
        var mine = await db.GroupMembers.AsNoTracking().FirstOrDefaultAsync(m => m.GroupId == group.Id && m.PersonId == viewer.Id, ct);
        if (GroupAccess.CanRead(viewer, group, mine)) return file;
        if (await db.Posts.VisibleTo(viewer).AnyAsync(p => db.FileUses.Any(u => u.FileId == fid && u.PostId == p.Id), ct)) return file;
        var pageGroups = await db.FileUses.Where(u => u.FileId == fid && u.PageId != null)
            .Join(db.GroupPages, u => u.PageId, p => (long?)p.Id, (u, p) => p.GroupId).Distinct().ToListAsync(ct);
        return (await content.ReadableAsync(viewer, pageGroups, ct)).Count > 0 ? file : null;
    }

    public string PathOf(StoredFile file) => store.PathOf(file.StorageKey);

    public Task<List<StoredFile>> ListAsync(GroupContext context, CancellationToken ct) =>
        db.Files.AsNoTracking().Where(f => f.GroupId == context.Group.Id).OrderByDescending(f => f.Id).Take(500).ToListAsync(ct);

    /// <summary>
    /// The files named for attaching to a post or page of <paramref name="groupId"/>: each must exist and belong to
    /// that group's library, so attaching never shows a file to an audience its group does not have.
    /// </summary>
    public async Task<Outcome<List<StoredFile>>> ResolveAsync(IReadOnlyList<string>? fileIds, long groupId, CancellationToken ct)
    {
        if (fileIds is null || fileIds.Count == 0) return new List<StoredFile>();
        if (fileIds.Count > MaxAttach) return Problem.Invalid("fileIds", $"At most {MaxAttach} files can be attached at once.");
        var parsed = new List<long>();
        foreach (var raw in fileIds)
        {
            if (!GroupContent.TryParseId(raw, out var id)) return Problem.Invalid("fileIds", $"'{raw}' is not a file id.");
            parsed.Add(id);
        }
        parsed = parsed.Distinct().ToList();
        var found = await db.Files.AsNoTracking().Where(f => parsed.Contains(f.Id) && f.GroupId == groupId).ToListAsync(ct);
        if (found.Count != parsed.Count)
            return Problem.Invalid("fileIds", "Every file must be uploaded to this group's library first.");
        return found;
    }

    /// <summary>Adds the uses to the caller's unit of work, skipping those that exist.</summary>
    public async Task AddUsesAsync(IEnumerable<long> fileIds, long? postId, long? pageId, CancellationToken ct)
    {
        var wanted = fileIds.Distinct().ToList();
        if (wanted.Count == 0) return;
        var existing = postId is { } post
            ? await db.FileUses.Where(u => u.PostId == post && wanted.Contains(u.FileId)).Select(u => u.FileId).ToListAsync(ct)
            : await db.FileUses.Where(u => u.PageId == pageId && wanted.Contains(u.FileId)).Select(u => u.FileId).ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var id in wanted.Except(existing))
            db.FileUses.Add(new FileUse { Id = ids.Next(), FileId = id, PostId = postId, PageId = pageId, CreatedAt = now });
    }

    /// <summary>Attaches library files to a post; only its author may.</summary>
    public async Task<Outcome<List<StoredFile>>> AttachToPostAsync(Viewer viewer, string postId, AttachFilesRequest request, CancellationToken ct)
    {
        if (!GroupContent.TryParseId(postId, out var pid)) return Problem.NotFound("The post");
        var post = await db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == pid, ct);
        if (post is null) return Problem.NotFound("The post");
        if (post.AuthorId != viewer.Id) return Problem.Forbidden("Only the post's author can attach files to it.");
        if (request.FileIds is null || request.FileIds.Count == 0) return Problem.Invalid("fileIds", "must name at least one file.");
        var files = await ResolveAsync(request.FileIds, post.GroupId ?? Group.CompanyId, ct);
        if (!files.Ok) return files;
        await AddUsesAsync(files.Value!.Select(f => f.Id), post.Id, null, ct);
        await db.SaveChangesAsync(ct);
        return await db.Files.AsNoTracking().Where(f => db.FileUses.Any(u => u.PostId == pid && u.FileId == f.Id)).OrderBy(f => f.Id).ToListAsync(ct);
    }
}
