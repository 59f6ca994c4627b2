using System.Security.Cryptography;
using System.Text;

namespace Chorus.Server.Features.Auth;

/// <summary>Random bearer secrets and their stored form. A SHA-256 hash is enough: the secrets are 256 random bits, not passwords.</summary>
public static class Secrets
{
    public const string TokenPrefix = "chorus_pat_";
    public const string SessionPrefix = "chorus_ses_";

    public static string New(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
