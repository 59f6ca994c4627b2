using System.IO.Compression;
using Chorus.Server.Features.Files;

namespace Chorus.Tests.GroupPages;

/// <summary>Upload types come from the bytes: signatures, header dimensions, the ZIP directory, strict UTF-8.</summary>
public sealed class FileTypeTests
{
    public static TheoryData<string, byte[], string?, int?, int?> Binaries => new()
    {
        { "png", GroupSetup.Png(640, 480), "image/png", 640, 480 },
        { "png without size", GroupSetup.Png(0, 480), "image/png", 0, 0 },
        { "gif", [.. "GIF89a"u8.ToArray(), 37, 0, 21, 0, 0, 0, 0], "image/gif", 37, 21 },
        { "jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF\0"u8.ToArray(), 1, 1, 0, 0, 1, 0, 1, 0, 0,
                   0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x15, 0x00, 0x25, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xD9], "image/jpeg", 37, 21 },
        { "jpeg without a frame", [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 0xFF, 0xD9], "image/jpeg", 0, 0 },
        { "webp", [.. "RIFF"u8.ToArray(), 30, 0, 0, 0, .. "WEBPVP8X"u8.ToArray(), 10, 0, 0, 0, 0, 0, 0, 0, 36, 0, 0, 20, 0, 0], "image/webp", 37, 21 },
        { "pdf", GroupSetup.Pdf(), "application/pdf", null, null },
        { "exe", GroupSetup.Executable(), null, null, null },
        { "html", "<!doctype html><script>x</script>"u8.ToArray(), null, null, null },
    };

    [Theory, MemberData(nameof(Binaries))]
    public void Binary_types_and_image_sizes_come_from_the_header(string what, byte[] bytes, string? type, int? width, int? height)
    {
        var sniffed = FileTypes.DetectBinary(bytes);
        Assert.True(type == sniffed?.Type.ContentType, what);
        Assert.Equal(width, sniffed?.Width);
        Assert.Equal(height, sniffed?.Height);
    }

    [Fact]
    public void Office_documents_are_told_apart_by_their_zip_directory_and_a_plain_zip_is_none()
    {
        Assert.Equal(FileTypes.Docx, FileTypes.DetectOffice(Zip("word/document.xml")));
        Assert.Equal(FileTypes.Xlsx, FileTypes.DetectOffice(Zip("xl/workbook.xml")));
        Assert.Equal(FileTypes.Pptx, FileTypes.DetectOffice(Zip("ppt/presentation.xml")));
        Assert.Null(FileTypes.DetectOffice(Zip("readme.txt")));
        Assert.Null(FileTypes.DetectOffice(new MemoryStream([0x50, 0x4B, 0x03, 0x04, 1, 2, 3])));
    }

    [Fact]
    public void Text_must_be_utf8_without_control_characters_even_across_chunks()
    {
        var euro = "a,€\n"u8.ToArray(); // € is three bytes: split it across two chunks
        var split = new TextCheck();
        split.Add(euro.AsSpan(0, 3), false);
        split.Add(euro.AsSpan(3), true);
        Assert.True(split.IsText);

        var invalid = new TextCheck();
        invalid.Add([0x61, 0xC3, 0x28], true);
        Assert.False(invalid.IsText);

        var binary = new TextCheck();
        binary.Add("MZ\0\0"u8, true);
        Assert.False(binary.IsText);

        Assert.True(FileTypes.Text.Agrees(".txt", "text/plain"));
        Assert.False(FileTypes.Pdf.Agrees(".png", null));
        Assert.False(FileTypes.Pdf.Agrees(".pdf", "image/png"));
        Assert.True(FileTypes.Pdf.Agrees(null, "application/octet-stream"));
    }

    static MemoryStream Zip(string part)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("[Content_Types].xml");
            zip.CreateEntry(part);
        }
        ms.Position = 0;
        return ms;
    }
}
