using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Chorus.Tests.GroupPages;

public sealed class FileTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task An_upload_is_typed_by_content_stored_outside_the_web_root_and_served_safely(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(ada, "public");

        var png = await GroupSetup.UploadOkAsync(ada, gid, GroupSetup.Png(640, 480), "Plan d’été.png", "image/png");
        Assert.Equal("image/png", png.Str("contentType"));
        Assert.Equal(640, png.GetProperty("width").GetInt32());
        Assert.Equal(480, png.GetProperty("height").GetInt32());
        Assert.Equal("Plan d’été.png", png.Str("name"));
        Assert.Equal(ada.Handle, png.GetProperty("uploader").Str("handle"));
        var root = Path.Combine(server.DataDirectory, "files");
        var stored = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(root, p)).Where(p => !p.StartsWith("tmp")).ToList();
        Assert.Contains(stored, p => Path.GetFileName(Path.GetDirectoryName(p))!.Length == 2 && Path.GetFileName(p).Length == 30);

        var image = await ada.Client.GetAsync(png.Str("url"));
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("inline", image.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("Plan d’été.png", image.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal(GroupSetup.Png(640, 480), await image.Content.ReadAsByteArrayAsync());

        // Multipart, with a name field before the file part; text is served as an attachment.
        var form = new MultipartFormDataContent();
        form.Add(new StringContent("notes.csv"), "name");
        form.Add(new ByteArrayContent("a,b\n1,2\n"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "upload.bin");
        var csv = await (await ada.Client.PostAsync($"/api/v1/groups/{gid}/files", form)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("text/csv", csv.Str("contentType"));
        var text = await ada.Client.GetAsync(csv.Str("url"));
        Assert.Equal("attachment", text.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("notes.csv", text.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal("nosniff", text.Headers.GetValues("X-Content-Type-Options").Single());

        var meta = await (await ada.Client.GetAsync($"/api/v1/files/{png.Str("id")}")).JsonAsync();
        Assert.Equal(png.Str("url"), meta.Str("url"));

        var post = await (await ada.Client.PostAsJsonAsync("/api/v1/posts", new { text = "see the plan", groupId = gid })).JsonAsync(HttpStatusCode.Created);
        var attached = await (await ada.Client.PostAsJsonAsync($"/api/v1/posts/{post.Str("id")}/files", new { fileIds = new[] { png.Str("id") } })).JsonAsync();
        Assert.Equal("post", attached[0].GetProperty("usedBy")[0].Str("kind"));
        var ben = await server.CreateUserAsync();
        await (await ben.Client.PostAsJsonAsync($"/api/v1/posts/{post.Str("id")}/files", new { fileIds = new[] { png.Str("id") } })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var otherGroup = await GroupSetup.CreateGroupAsync(ada, "public");
        var elsewhere = await GroupSetup.UploadOkAsync(ada, otherGroup, GroupSetup.Pdf(), "x.pdf");
        await (await ada.Client.PostAsJsonAsync($"/api/v1/posts/{post.Str("id")}/files", new { fileIds = new[] { elsewhere.Str("id") } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");

        await (await ada.Client.PostAsJsonAsync($"/api/v1/groups/{gid}/pages", new { title = "Docs", body = "see file", fileIds = new[] { png.Str("id") } }))
            .JsonAsync(HttpStatusCode.Created);
        var library = await (await ada.Client.GetAsync($"/api/v1/groups/{gid}/files")).JsonAsync();
        var uses = library.GetProperty("items").EnumerateArray().Single(f => f.Str("id") == png.Str("id")).GetProperty("usedBy");
        Assert.Equal(["page", "post"], uses.EnumerateArray().Select(u => u.Str("kind")).Order());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Content_that_contradicts_its_name_or_matches_no_allowed_type_is_a_415(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(ada, "public");

        await (await GroupSetup.UploadAsync(ada, gid, GroupSetup.Pdf(), "photo.png")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await GroupSetup.UploadAsync(ada, gid, GroupSetup.Pdf(), "doc.pdf", "image/png")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await GroupSetup.UploadAsync(ada, gid, GroupSetup.Executable(), "setup.exe")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await GroupSetup.UploadAsync(ada, gid, GroupSetup.Executable(), "readme.txt")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await GroupSetup.UploadAsync(ada, gid, GroupSetup.Png(0, 10), "broken.png")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await GroupSetup.UploadAsync(ada, gid, "<html><script>alert(1)</script>"u8.ToArray(), "page.html")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await GroupSetup.UploadAsync(ada, gid, [], "empty.txt")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        var pdf = await GroupSetup.UploadOkAsync(ada, gid, GroupSetup.Pdf(), "doc.pdf");
        Assert.Equal("application/pdf", pdf.Str("contentType"));
        var served = await ada.Client.GetAsync(pdf.Str("url"));
        Assert.Equal("attachment", served.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("application/pdf", served.Content.Headers.ContentType!.MediaType);
        var library = await (await ada.Client.GetAsync($"/api/v1/groups/{gid}/files")).JsonAsync();
        Assert.Single(library.GetProperty("items").EnumerateArray());
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task An_upload_over_the_configured_size_is_a_413_and_leaves_nothing_behind(string db)
    {
        using var server = new ChorusServer(db, new Dictionary<string, string?> { ["Chorus:Files:MaxBytes"] = "1000" });
        var ada = await server.CreateUserAsync();
        var gid = await GroupSetup.CreateGroupAsync(ada, "public");
        var text = System.Text.Encoding.UTF8.GetBytes(new string('a', 1000));
        await GroupSetup.UploadOkAsync(ada, gid, text, "exact.txt");

        var over = System.Text.Encoding.UTF8.GetBytes(new string('a', 5000));
        await (await GroupSetup.UploadAsync(ada, gid, over, "big.txt")).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "too-large");
        // Without a Content-Length the limit is found while streaming.
        var chunked = new StreamContent(new MemoryStream(over));
        chunked.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = "big.txt" };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/groups/{gid}/files") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await (await ada.Client.SendAsync(request)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "too-large");

        Assert.Empty(Directory.GetFiles(Path.Combine(server.DataDirectory, "files", "tmp")));
        var library = await (await ada.Client.GetAsync($"/api/v1/groups/{gid}/files")).JsonAsync();
        Assert.Single(library.GetProperty("items").EnumerateArray());
    }
}
