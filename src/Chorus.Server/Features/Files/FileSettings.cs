using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Files;

/// <summary>Chorus:Files settings: where uploads live and how large one may be.</summary>
public sealed record FileSettings(string Root, long MaxBytes)
{
    public const long DefaultMaxBytes = 25L * 1024 * 1024;

    public static FileSettings From(IConfiguration config, ChorusSettings settings)
    {
        var raw = config["Chorus:Files:MaxBytes"];
        var max = DefaultMaxBytes;
        if (!string.IsNullOrWhiteSpace(raw) &&
            (!long.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out max) || max < 1))
            throw new InvalidConfigurationException("Chorus:Files:MaxBytes", "must be a positive number of bytes.");
        // Under the data directory, never under wwwroot: files are only reachable through the access check.
        return new FileSettings(Path.Combine(settings.DataDirectory, "files"), max);
    }
}

/// <summary>The bytes of uploaded files on disk: {root}/ab/cdef… by a random 128-bit key; uploads land in {root}/tmp first.</summary>
public sealed class FileStore(FileSettings settings)
{
    public static string NewKey() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public string PathOf(string key)
    {
        // Keys are our own 32 hex digits; anything else is refused so a row can never point outside the root.
        if (key.Length != 32 || !key.All(char.IsAsciiHexDigitLower)) throw new ArgumentException("Not a storage key.", nameof(key));
        return Path.Combine(settings.Root, key[..2], key[2..]);
    }

    public FileStream CreateTemp(out string path)
    {
        var dir = Path.Combine(settings.Root, "tmp");
        Directory.CreateDirectory(dir);
        path = Path.Combine(dir, NewKey());
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous);
    }

    /// <summary>Moves a finished upload into place under a new key.</summary>
    public string Commit(string tempPath)
    {
        var key = NewKey();
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(tempPath, target);
        return key;
    }

    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
