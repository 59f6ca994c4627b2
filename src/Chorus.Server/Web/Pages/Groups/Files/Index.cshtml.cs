using Chorus.Server.Features.Files;
using Chorus.Server.Features.GroupPages;
using Chorus.Server.Web.Pages.Groups.Pages;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Chorus.Server.Web.Pages.Groups.Files;

[UploadSizeLimit]
public sealed class FileLibraryModel(FileService files, FileRenderer renderer, FileSettings settings, GroupContent content) : GroupContentPageModel
{
    public IReadOnlyList<FileDto> Files { get; private set; } = [];
    public long MaxBytes => settings.MaxBytes;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        Files = await renderer.RenderAsync(Viewer, await files.ListAsync(Group, ct), ct);
        return Page();
    }

    public async Task<IActionResult> OnPostUploadAsync(string id, IFormFile? file, CancellationToken ct)
    {
        var member = await content.MemberAsync(Viewer, id, "upload files", ct);
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        if (!member.Ok) return StatusCode(member.Problem!.Status);
        if (file is null) return await FailAsync(Infrastructure.Problem.Invalid("file", "Choose a file to upload."), ct);
        await using var stream = file.OpenReadStream();
        var stored = await files.UploadAsync(Viewer, Group, stream, file.FileName, file.ContentType, ct);
        return stored.Ok ? LocalRedirect($"/groups/{GroupId}/files") : await FailAsync(stored.Problem!, ct);
    }

    async Task<IActionResult> FailAsync(Infrastructure.Problem problem, CancellationToken ct)
    {
        Files = await renderer.RenderAsync(Viewer, await files.ListAsync(Group, ct), ct);
        return Refused(problem);
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes / (1024.0 * 1024):0.#} MB",
    };
}

/// <summary>
/// Raises the request body limit for the upload form to Chorus:Files:MaxBytes (plus room for the form around it).
/// An authorization filter, like the framework's RequestSizeLimit, so it runs before the antiforgery check reads the form.
/// </summary>
public sealed class UploadSizeLimitAttribute : Attribute, IAuthorizationFilter
{
    public void OnAuthorization(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsPost(http.Request.Method)) return;
        var max = http.RequestServices.GetRequiredService<FileSettings>().MaxBytes + 64 * 1024;
        // Refuse a declared oversize body before anything reads it, so the answer is 413 rather than a failed form read.
        if (http.Request.ContentLength > max) { context.Result = new StatusCodeResult(StatusCodes.Status413PayloadTooLarge); return; }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = max;
        if (http.Features.Get<IFormFeature>() is null || !http.Request.HasFormContentType) return;
        http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions { MultipartBodyLengthLimit = max }));
    }
}
