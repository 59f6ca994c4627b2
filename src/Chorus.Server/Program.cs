using Chorus.Server.Features.Groups;
using Chorus.Server.Features.GroupPages;
using Chorus.Server.Features.Files;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.Notifications;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Features.Realtime;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

WebApplicationBuilder builder;
try
{
    builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args,
        // Settings and static files live beside the binary, so the server starts the same from any directory.
        ContentRootPath = AppContext.BaseDirectory,
        WebRootPath = "wwwroot",
    });
    builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
    if (builder.Configuration["Logging:Format"] == "json") builder.Logging.ClearProviders().AddJsonConsole();
    builder.AddChorusServer();
}
catch (InvalidConfigurationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var app = builder.Build();

// First, so the rate limits, logs and cookies see the client's address and scheme (Chorus:TrustedProxies).
app.UseForwardedHeaders();
app.UseExceptionHandler();
// API paths answer problem+json; web pages get a friendly HTML page for errors and bare status codes.
static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api");
app.UseWhen(http => !IsApi(http), web =>
{
    web.UseExceptionHandler("/Error");
    web.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
});
app.UseWhen(IsApi, api => api.UseStatusCodePages(StatusCodeProblems.WriteAsync));
app.UseSecurityHeaders();
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });

app.MapGet("/healthz", () => TypedResults.Text("ok")).AllowAnonymous().ExcludeFromDescription();
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
app.MapOpenApi().AllowAnonymous();
app.MapAuthEndpoints();
app.MapPeopleEndpoints();
app.MapPostEndpoints();
app.MapFeedEndpoints();
app.MapGroupEndpoints();
app.MapGroupPageEndpoints();
app.MapGroupContentEndpoints();
app.MapFileEndpoints();
app.MapStreamingEndpoints();
app.MapNotificationEndpoints();
app.MapRazorPages();

try
{
    await Startup.InitializeAsync(app.Services);
}
catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
{
    app.Logger.LogCritical(e, "Could not prepare the database");
    return 3;
}
Startup.AnnounceWhenStarted(app);
await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to the test host.</summary>
public partial class Program;
