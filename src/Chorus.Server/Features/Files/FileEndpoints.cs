using Chorus.Server.Features.Auth;
using Chorus.Server.Features.GroupPages;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Chorus.Server.Features.Files;

public static class FileEndpoints
{
    /// <summary>Room for multipart boundaries and small fields around the file itself.</summary>
    const long MultipartOverhead = 64 * 1024;

    public static void MapFileEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization().WithTags("Files");
        api.MapPost("/groups/{id}/files", Upload).RequiresWrite()
            .WithSummary("Upload a file to the group's library: the raw body (name in Content-Disposition or ?name=) or multipart/form-data");
        api.MapGet("/groups/{id}/files", List).WithSummary("The group's file library: uploader, date, size and the posts and pages using each file");
        api.MapGet("/files/{id}", Get).WithSummary("A file's metadata");
        api.MapPost("/posts/{id}/files", AttachToPost).RequiresWrite().WithSummary("Attach library files to your post");
        app.MapGet("/files/{id}/{name}", Download).RequireAuthorization().ExcludeFromDescription();
    }

    static async Task<Results<Created<FileDto>, ProblemHttpResult>> Upload(string id, string? name, HttpRequest request, Viewer viewer,
        GroupContent content, FileService files, FileRenderer renderer, FileSettings settings, CancellationToken ct)
    {
        var context = await content.MemberAsync(viewer, id, "upload files", ct);
        if (!context.Ok) return context.Problem!.ToResult();
        var multipart = request.HasFormContentType && MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
                        && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        var limit = settings.MaxBytes + (multipart ? MultipartOverhead : 0);
        if (request.ContentLength > limit) return Problem.TooLarge("file", $"A file may be at most {settings.MaxBytes:N0} bytes.").ToResult();
        // The server-wide body limit is smaller than uploads may be; the upload counts its own bytes against MaxBytes.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;

        Outcome<Data.StoredFile> stored;
        if (multipart)
        {
            var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
            if (string.IsNullOrEmpty(boundary)) return Problem.BadRequest("Content-Type", "has no multipart boundary.").ToResult();
            stored = Problem.Invalid("file", "The form has no file part.");
            var reader = new MultipartReader(boundary, request.Body);
            string? fieldName = name;
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : disposition.FileName.Value;
                if (string.IsNullOrEmpty(fileName) && disposition.Name.Value is "name" or "filename")
                {
                    // A name field sent before the file part names it (e.g. when the browser's file name should not be used).
                    using var sr = new StreamReader(section.Body);
                    var value = new char[FileService.MaxName + 1];
                    var n = await sr.ReadBlockAsync(value, ct);
                    fieldName = new string(value, 0, n);
                    continue;
                }
                if (string.IsNullOrEmpty(fileName) && disposition.Name.Value != "file") continue;
                stored = await files.UploadAsync(viewer, context.Value!, section.Body, string.IsNullOrWhiteSpace(fieldName) ? fileName : fieldName, section.ContentType, ct);
                break;
            }
        }
        else
        {
            var fileName = name;
            if (fileName is null && ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition.ToString(), out var disposition))
                fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : disposition.FileName.Value;
            stored = await files.UploadAsync(viewer, context.Value!, request.Body, fileName, request.ContentType, ct);
        }
        if (!stored.Ok) return stored.Problem!.ToResult();
        var dto = (await renderer.RenderAsync(viewer, [stored.Value!], ct))[0];
        return TypedResults.Created($"/api/v1/files/{dto.Id}", dto);
    }

    static async Task<Results<Ok<Page<FileDto>>, ProblemHttpResult>> List(string id, Viewer viewer, GroupContent content, FileService files, FileRenderer renderer, CancellationToken ct)
    {
        var context = await content.ReadAsync(viewer, id, ct);
        if (!context.Ok) return context.Problem!.ToResult();
        return TypedResults.Ok(new Page<FileDto>(await renderer.RenderAsync(viewer, await files.ListAsync(context.Value!, ct), ct), null));
    }

    static async Task<Results<Ok<FileDto>, ProblemHttpResult>> Get(string id, Viewer viewer, FileService files, FileRenderer renderer, CancellationToken ct)
    {
        var file = await files.FindVisibleAsync(viewer, id, ct);
        if (file is null) return Problem.NotFound("The file").ToResult();
        return TypedResults.Ok((await renderer.RenderAsync(viewer, [file], ct))[0]);
    }

    static async Task<Results<Ok<List<FileDto>>, ProblemHttpResult>> AttachToPost(string id, AttachFilesRequest request, Viewer viewer, FileService files, FileRenderer renderer, CancellationToken ct)
    {
        var attached = await files.AttachToPostAsync(viewer, id, request, ct);
        if (!attached.Ok) return attached.Problem!.ToResult();
        return TypedResults.Ok(await renderer.RenderAsync(viewer, attached.Value!, ct));
    }

    /// <summary>
    /// The bytes, to those who may see them, with the type sniffed at upload, nosniff, a sandboxing CSP, and
    /// Content-Disposition: attachment (inline only for images) with an RFC 6266 filename and filename*.
    /// </summary>
    static async Task<Results<PhysicalFileHttpResult, NotFound>> Download(string id, string name, HttpContext http, Viewer viewer, FileService files, CancellationToken ct)
    {
        var file = await files.FindVisibleAsync(viewer, id, ct);
        if (file is null) return TypedResults.NotFound();
        var path = files.PathOf(file);
        if (!File.Exists(path)) return TypedResults.NotFound();
        var inline = file.ContentType.StartsWith("image/", StringComparison.Ordinal);
        var disposition = new ContentDispositionHeaderValue(inline ? "inline" : "attachment");
        disposition.SetHttpFileName(file.Name);
        var h = http.Response.Headers;
        h.ContentDisposition = disposition.ToString();
        h.XContentTypeOptions = "nosniff";
        h.ContentSecurityPolicy = "default-src 'none'; sandbox";
        h.CacheControl = "private, max-age=3600";
        return TypedResults.PhysicalFile(path, file.ContentType, enableRangeProcessing: true);
    }
}
