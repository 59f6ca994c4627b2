using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chorus.Tests.GroupPages;

/// <summary>Groups, members and uploads for the group-content tests.</summary>
public static class GroupSetup
{
    public static async Task<string> CreateGroupAsync(TestUser owner, string kind = "private")
    {
        var group = await (await owner.Client.PostAsJsonAsync("/api/v1/groups",
            new { name = "G " + Guid.NewGuid().ToString("N")[..10], description = "", kind })).JsonAsync(HttpStatusCode.Created);
        return group.Str("id");
    }

    public static async Task AddAsync(TestUser owner, string groupId, TestUser person, string role = "member") =>
        await (await owner.Client.PostAsJsonAsync($"/api/v1/groups/{groupId}/members", new { handles = new[] { person.Handle }, role })).JsonAsync();

    public static async Task<HttpResponseMessage> UploadAsync(TestUser who, string groupId, byte[] bytes, string name, string? contentType = null)
    {
        var body = new ByteArrayContent(bytes);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
        body.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = name };
        return await who.Client.PostAsync($"/api/v1/groups/{groupId}/files", body);
    }

    public static async Task<JsonElement> UploadOkAsync(TestUser who, string groupId, byte[] bytes, string name, string? contentType = null) =>
        await (await UploadAsync(who, groupId, bytes, name, contentType)).JsonAsync(HttpStatusCode.Created);

    /// <summary>A minimal PNG: signature, IHDR with the given size, IEND (CRCs are not checked by the sniffer).</summary>
    public static byte[] Png(int width, int height)
    {
        var b = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 };
        b.AddRange("IHDR"u8.ToArray());
        b.AddRange(BigEndian(width)); b.AddRange(BigEndian(height));
        b.AddRange(new byte[] { 8, 2, 0, 0, 0, 0, 0, 0, 0 });
        b.AddRange(new byte[] { 0, 0, 0, 0 }); b.AddRange("IEND"u8.ToArray()); b.AddRange(new byte[] { 0xAE, 0x42, 0x60, 0x82 });
        return [.. b];
    }

    public static byte[] Pdf() => "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();

    /// <summary>The start of a Windows executable: MZ header with NULs, then a PE signature.</summary>
    public static byte[] Executable()
    {
        var b = new byte[256];
        b[0] = (byte)'M'; b[1] = (byte)'Z'; b[0x3C] = 0x80; b[0x80] = (byte)'P'; b[0x81] = (byte)'E';
        return b;
    }

    static byte[] BigEndian(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];
}
