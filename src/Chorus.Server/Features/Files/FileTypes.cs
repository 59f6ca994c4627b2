using System.Buffers.Binary;
using System.IO.Compression;

namespace Chorus.Server.Features.Files;

/// <summary>A file type the server accepts: its content type, the extensions and claimed types that agree with it.</summary>
public sealed record FileType(string ContentType, string[] Extensions, string[] Claims, bool IsImage = false)
{
    public bool Agrees(string? extension, string? claimedType) =>
        (string.IsNullOrEmpty(extension) || Extensions.Contains(extension, StringComparer.OrdinalIgnoreCase)) &&
        (string.IsNullOrEmpty(claimedType) || claimedType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) ||
         ContentType.Equals(claimedType, StringComparison.OrdinalIgnoreCase) || Claims.Contains(claimedType, StringComparer.OrdinalIgnoreCase));
}

/// <summary>What a file's bytes say it is. Images carry their dimensions, read from the header.</summary>
public sealed record Sniffed(FileType Type, int? Width = null, int? Height = null);

/// <summary>
/// The allow-list of upload types, recognized by content: signatures and header structure for binary formats, the
/// ZIP directory for office documents, and strict UTF-8 without control characters for text. Names and claimed
/// types never decide the type; they can only contradict it (and then the upload is refused).
/// </summary>
public static class FileTypes
{
    public static readonly FileType Png = new("image/png", [".png"], [], IsImage: true);
    public static readonly FileType Jpeg = new("image/jpeg", [".jpg", ".jpeg", ".jfif"], ["image/jpg", "image/pjpeg"], IsImage: true);
    public static readonly FileType Gif = new("image/gif", [".gif"], [], IsImage: true);
    public static readonly FileType WebP = new("image/webp", [".webp"], [], IsImage: true);
    public static readonly FileType Pdf = new("application/pdf", [".pdf"], ["application/x-pdf"]);
    public static readonly FileType Docx = new("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [".docx"], ["application/zip"]);
    public static readonly FileType Xlsx = new("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [".xlsx"], ["application/zip"]);
    public static readonly FileType Pptx = new("application/vnd.openxmlformats-officedocument.presentationml.presentation", [".pptx"], ["application/zip"]);
    public static readonly FileType Text = new("text/plain; charset=utf-8", [".txt", ".text", ".md", ".markdown", ".log"], ["text/plain", "text/markdown"]);
    public static readonly FileType Csv = new("text/csv; charset=utf-8", [".csv"], ["text/csv", "text/plain", "application/vnd.ms-excel"]);

    /// <summary>How many leading bytes <see cref="DetectBinary"/> needs at most (JPEG frame headers can come after EXIF data).</summary>
    public const int HeadBytes = 64 * 1024;

    /// <summary>Images and PDF from the first bytes; null when the head matches none of them.</summary>
    public static Sniffed? DetectBinary(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 24 && d[..8].SequenceEqual((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            // The first chunk must be IHDR (length 13) with a non-zero width and height.
            if (BinaryPrimitives.ReadUInt32BigEndian(d[8..]) != 13 || !d.Slice(12, 4).SequenceEqual("IHDR"u8)) return Broken(Png);
            return Image(Png, BinaryPrimitives.ReadUInt32BigEndian(d[16..]), BinaryPrimitives.ReadUInt32BigEndian(d[20..]));
        }
        if (d.Length >= 10 && (d[..6].SequenceEqual("GIF87a"u8) || d[..6].SequenceEqual("GIF89a"u8)))
            return Image(Gif, BinaryPrimitives.ReadUInt16LittleEndian(d[6..]), BinaryPrimitives.ReadUInt16LittleEndian(d[8..]));
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
            return JpegSize(d) is var (w, h) ? Image(Jpeg, w, h) : Broken(Jpeg);
        if (d.Length >= 12 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8))
            return WebPSize(d) is var (w, h) ? Image(WebP, w, h) : Broken(WebP);
        if (d.Length >= 5 && d[..5].SequenceEqual("%PDF-"u8)) return new Sniffed(Pdf);
        return null;
    }

    /// <summary>Images whose header cannot be read are answered with a sniffed type of width 0: the caller refuses them.</summary>
    static Sniffed Broken(FileType type) => new(type, 0, 0);

    static Sniffed Image(FileType type, uint width, uint height) =>
        width is 0 or > 100_000 || height is 0 or > 100_000 ? Broken(type) : new Sniffed(type, (int)width, (int)height);

    public static bool IsZip(ReadOnlySpan<byte> d) => d.Length >= 4 && d[..4].SequenceEqual((byte[])[0x50, 0x4B, 0x03, 0x04]);

    /// <summary>An Office Open XML document is a ZIP whose directory has [Content_Types].xml and the part of its kind.</summary>
    public static FileType? DetectOffice(Stream zip)
    {
        try
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            var names = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            if (!names.Contains("[Content_Types].xml")) return null;
            if (names.Contains("word/document.xml")) return Docx;
            if (names.Contains("xl/workbook.xml")) return Xlsx;
            if (names.Contains("ppt/presentation.xml")) return Pptx;
            return null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Text files: CSV when the name or claimed type says so, plain text otherwise.</summary>
    public static FileType TextType(string? extension, string? claimedType) =>
        string.Equals(extension, ".csv", StringComparison.OrdinalIgnoreCase) || string.Equals(claimedType, "text/csv", StringComparison.OrdinalIgnoreCase) ? Csv : Text;

    /// <summary>Walks JPEG segments to the first start-of-frame marker, which holds the height and width.</summary>
    static (uint, uint)? JpegSize(ReadOnlySpan<byte> d)
    {
        var i = 2;
        while (i + 9 < d.Length)
        {
            if (d[i] != 0xFF) return null;
            var marker = d[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 || marker is >= 0xD0 and <= 0xD7) { i += 2; continue; }
            var length = BinaryPrimitives.ReadUInt16BigEndian(d[(i + 2)..]);
            if (length < 2) return null;
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
                return (BinaryPrimitives.ReadUInt16BigEndian(d[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(d[(i + 5)..]));
            if (marker == 0xDA) return null; // image data before any frame header
            i += 2 + length;
        }
        return null;
    }

    static (uint, uint)? WebPSize(ReadOnlySpan<byte> d)
    {
        if (d.Length < 30) return null;
        var chunk = d.Slice(12, 4);
        if (chunk.SequenceEqual("VP8X"u8))
            return (1 + (uint)(d[24] | d[25] << 8 | d[26] << 16), 1 + (uint)(d[27] | d[28] << 8 | d[29] << 16));
        if (chunk.SequenceEqual("VP8L"u8) && d[20] == 0x2F)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(d[21..]);
            return (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF));
        }
        if (chunk.SequenceEqual("VP8 "u8) && d[23] == 0x9D && d[24] == 0x01 && d[25] == 0x2A)
            return ((uint)(BinaryPrimitives.ReadUInt16LittleEndian(d[26..]) & 0x3FFF), (uint)(BinaryPrimitives.ReadUInt16LittleEndian(d[28..]) & 0x3FFF));
        return null;
    }
}

/// <summary>
/// Checks text incrementally while an upload streams: strict UTF-8 (sequences may span chunks) and no control
/// characters other than tab, line feed, form feed and carriage return — which rules out executables and other binaries.
/// </summary>
public sealed class TextCheck
{
    readonly System.Text.Decoder _decoder = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
    readonly char[] _chars = new char[8192];
    public bool IsText { get; private set; } = true;

    public void Add(ReadOnlySpan<byte> bytes, bool final)
    {
        if (!IsText) return;
        foreach (var b in bytes)
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C) || b == 0x7F) { IsText = false; return; }
        try
        {
            while (true)
            {
                _decoder.Convert(bytes, _chars, final, out var used, out _, out var completed);
                bytes = bytes[used..];
                if (completed) break;
            }
        }
        catch (System.Text.DecoderFallbackException)
        {
            IsText = false;
        }
    }
}
