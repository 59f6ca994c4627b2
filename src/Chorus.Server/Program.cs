using Chorus.Server.Features.Groups;
using Chorus.Server.Features.PostTypes;
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
// The database work (migrations, the node number) runs on another core while the pipeline and the endpoint table are
// built below: start-up is the longer of the two, not their sum (W6 in docs/benchmarks.md). It uses plain connections:
// EF Core builds its model at its first query, once the server listens (bench/findings.md, W6).
var initializing = Task.Run(() => Startup.InitializeAsync(app.Services));

// First, so the rate limits, logs and cookies see the client's address and scheme (Chorus:TrustedProxies).
app.UseForwardedHeaders();
// Readiness (the database answers, its schema is this build's) as a plain middleware, not an endpoint: a probe needs
// neither routing nor the rest of the pipeline, so the first one does not wait for the endpoint table to be built.
app.UseHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
// The live stream (GET /api/v1/streaming) next, ahead of everything an idle connection would otherwise keep alive.
app.UseServerSentEvents();
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
app.UseGuestFence();
app.UseRateLimiter();
app.UseAntiforgery();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });

app.MapGet("/healthz", () => TypedResults.Text("ok")).AllowAnonymous().ExcludeFromDescription();
app.MapOpenApi().AllowAnonymous();
app.MapAuthEndpoints();
app.MapPeopleEndpoints();
app.MapPostEndpoints();
app.MapFeedEndpoints();
app.MapGroupEndpoints();
app.MapPostTypeEndpoints();
app.MapGroupPageEndpoints();
app.MapGroupContentEndpoints();
app.MapFileEndpoints();
app.MapStreamingEndpoints();
app.MapNotificationEndpoints();
app.MapRazorPages();
// The endpoint table (Razor Pages' action descriptors, every endpoint's metadata) is built on the other core while
// the host starts, instead of by the first request, which readiness waits for (W6 in docs/benchmarks.md).
_ = Task.Run(() =>
{
    foreach (var source in ((IEndpointRouteBuilder)app).DataSources) _ = source.Endpoints;
});

try
{
    await initializing;
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
