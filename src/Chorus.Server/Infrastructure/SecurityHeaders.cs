namespace Chorus.Server.Infrastructure;

/// <summary>Headers on every response: a CSP with no inline script, no framing, no sniffing, no referrer leaks.</summary>
public static class SecurityHeaders
{
    const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
                       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            Apply(http.Response.Headers);
            return Task.CompletedTask;
        });
        await next();
    });

    /// <summary>Sets the headers now; for a response answered ahead of the middleware (the live stream).</summary>
    public static void Apply(IHeaderDictionary h)
    {
        if (!h.ContainsKey("Content-Security-Policy")) h.ContentSecurityPolicy = Csp;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "same-origin";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
    }
}
