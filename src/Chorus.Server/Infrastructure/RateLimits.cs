using System.Globalization;
using System.Threading.RateLimiting;
using Chorus.Server.Features.Auth;
using Microsoft.AspNetCore.RateLimiting;

namespace Chorus.Server.Infrastructure;

/// <summary>Named rate limits: sign-in and token creation per client address, posting per person. Rejections are 429 problem+json with Retry-After.</summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Posting = "posting";

    public static IServiceCollection AddChorusRateLimits(this IServiceCollection services, ChorusSettings settings)
    {
        services.AddRateLimiter(o =>
        {
            // Only writes count: the web pages carry these policies on the whole page, and showing a form is free.
            o.AddPolicy(SignIn, http => IsRead(http) ? RateLimitPartition.GetNoLimiter("read") : RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.Security.SignInPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.AddPolicy(Posting, http => IsRead(http) ? RateLimitPartition.GetNoLimiter("read") : RateLimitPartition.GetTokenBucketLimiter(
                http.Features.Get<Viewer>()?.Id.ToString(CultureInfo.InvariantCulture) ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.Security.PostsPerMinute, TokensPerPeriod = Math.Max(1, settings.Security.PostsPerMinute / 6),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(10), QueueLimit = 0,
                }));
            o.OnRejected = async (ctx, ct) =>
            {
                var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
                ctx.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                ctx.HttpContext.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                // Web pages get the friendly error page from the status-code middleware instead of JSON.
                if (!ctx.HttpContext.Request.Path.StartsWithSegments("/api")) return;
                await new Problem(429, "rate-limited", "Too many requests.", $"Try again in {retry} seconds.").ToResult().ExecuteAsync(ctx.HttpContext);
            };
        });
        return services;
    }

    static bool IsRead(HttpContext http) => HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
}
