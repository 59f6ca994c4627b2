using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.People;

/// <summary>
/// Avatars are stored in the database (so every node serves them) and accepted only when the bytes are an image
/// of a known format; the stored content type comes from the bytes, never from the upload's name or header.
/// </summary>
public sealed class AvatarService(ChorusDb db, TimeProvider clock)
{
    public const int MaxBytes = 1024 * 1024;

    public async Task<Outcome<Person>> SetAsync(Person person, byte[] data, CancellationToken ct)
    {
        if (data.Length == 0) return Problem.Invalid("avatar", "The file is empty.");
        if (data.Length > MaxBytes) return Problem.TooLarge("avatar", $"An avatar may be at most {MaxBytes / 1024} KB.");
        var type = ImageSniffer.Detect(data);
        if (type is null) return Problem.Unsupported("avatar", "The file is not a PNG, JPEG, GIF or WebP image.");

        var now = clock.GetUtcNow().UtcDateTime;
        var existing = await db.Avatars.FirstOrDefaultAsync(a => a.PersonId == person.Id, ct);
        if (existing is null) db.Avatars.Add(new Avatar { PersonId = person.Id, ContentType = type, Data = data, UpdatedAt = now });
        else { existing.ContentType = type; existing.Data = data; existing.UpdatedAt = now; }
        person.AvatarVersion = (person.AvatarVersion ?? 0) + 1;
        db.Events.Add(PersonRules.Updated(person.Id, person.Id, now));
        await db.SaveChangesAsync(ct);
        return person;
    }

    public async Task RemoveAsync(Person person, CancellationToken ct)
    {
        await db.Avatars.Where(a => a.PersonId == person.Id).ExecuteDeleteAsync(ct);
        person.AvatarVersion = null;
        db.Events.Add(PersonRules.Updated(person.Id, person.Id, clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
    }

    public Task<Avatar?> GetAsync(long personId, CancellationToken ct) =>
        db.Avatars.AsNoTracking().FirstOrDefaultAsync(a => a.PersonId == personId, ct);
}

/// <summary>Recognizes image formats by their structure, not by name: the signature and the first header fields.</summary>
public static class ImageSniffer
{
    public static string? Detect(ReadOnlySpan<byte> d)
    {
        // PNG: signature, then an IHDR chunk of length 13 with non-zero width and height.
        if (d.Length > 33 && d[..8].SequenceEqual((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            && d.Slice(12, 4).SequenceEqual("IHDR"u8) && BigEndian(d.Slice(16, 4)) > 0 && BigEndian(d.Slice(20, 4)) > 0)
            return "image/png";
        // JPEG: SOI followed by another marker.
        if (d.Length > 4 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF && d[3] >= 0xC0)
            return "image/jpeg";
        // GIF: version header and a non-zero logical screen size.
        if (d.Length > 13 && (d[..6].SequenceEqual("GIF87a"u8) || d[..6].SequenceEqual("GIF89a"u8)) && (d[6] | d[7]) != 0 && (d[8] | d[9]) != 0)
            return "image/gif";
        // WebP: RIFF container whose form type is WEBP with a VP8/VP8L/VP8X chunk.
        if (d.Length > 16 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8) && d.Slice(12, 3).SequenceEqual("VP8"u8))
            return "image/webp";
        return null;
    }

    static uint BigEndian(ReadOnlySpan<byte> b) => (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
}
