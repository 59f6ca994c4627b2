using Chorus.Server.Features.Groups;
using Chorus.Server.Features.PostTypes;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chorus.Server.Data;
using Chorus.Server.Features.Admin;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.Notifications;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Features.Realtime;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chorus.Server.Infrastructure;

/// <summary>Wiring shared by the server, the CLI and the tests: every service of every feature, registered explicitly.</summary>
public static class ServerSetup
{
    public static ChorusSettings AddChorusCore(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = ChorusSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new IdGenerator(sp.GetRequiredService<TimeProvider>(), settings.NodeId));
        services.AddChorusDatabase(settings);
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = settings.Security.PasswordIterations);
        services.AddSingleton<IPasswordHasher<Person>, PasswordHasher<Person>>();

        // The in-memory read model (ADR 008): caches every node keeps right from the changes that commit.
        services.AddSingleton<CredentialCache>();
        services.AddSingleton<PersonCards>();
        services.AddSingleton<FollowCounts>();
        services.AddSingleton<GroupCards>();
        services.AddSingleton<PostViews>();
        services.AddSingleton<FeedSources>();
        services.AddSingleton<TopicMap>();
        services.AddSingleton<IChangeObserver>(sp => sp.GetRequiredService<CredentialCache>());
        services.AddSingleton<IChangeObserver>(sp => sp.GetRequiredService<PersonCards>());
        services.AddSingleton<IChangeObserver>(sp => sp.GetRequiredService<FollowCounts>());
        services.AddSingleton<IChangeObserver>(sp => sp.GetRequiredService<GroupCards>());
        services.AddSingleton<IChangeObserver>(sp => sp.GetRequiredService<PostViews>());
        services.AddSingleton<IChangeObserver>(sp => sp.GetRequiredService<FeedSources>());
        services.AddSingleton<ChangeObservers>();
        services.AddScoped<CredentialService>();
        services.AddScoped<PersonRenderer>();
        services.AddScoped<PeopleService>();
        services.AddScoped<FollowService>();
        services.AddScoped<AvatarService>();
        services.AddScoped<TopicStore>();
        services.AddScoped<PostRenderer>();
        services.AddScoped<PostService>();
        services.AddSingleton<Data.WriterPause>();
        services.AddSingleton<PostWriter>();
        services.AddScoped<NotificationWriter>();
        services.AddScoped<NotificationRenderer>();
        services.AddScoped<NotificationService>();
        services.AddScoped<NotificationStreamEvents>();
        services.AddScoped<PostQueries>();
        services.AddScoped<FeedService>();
        services.AddScoped<GroupService>();
        services.AddScoped<MembershipService>();
        // Read now, so a bad Chorus:Files setting stops the start-up like every other setting.
        services.AddSingleton(Features.Files.FileSettings.From(configuration, settings));
        services.AddSingleton<Features.Files.FileStore>();
        services.AddScoped<Features.Files.FileService>();
        services.AddScoped<Features.Files.FileRenderer>();
        services.AddScoped<Features.GroupPages.GroupContent>();
        services.AddScoped<Features.GroupPages.LongText>();
        services.AddScoped<Features.GroupPages.PageService>();
        services.AddScoped<Features.GroupPages.FaqService>();
        services.AddScoped<Features.GroupPages.ArticleService>();
        services.AddScoped<IPostDetails, Features.GroupPages.ArticleDetails>();
        services.AddScoped<TopicService>();
        services.AddSingleton<TrendingTopics>();
        services.AddSingleton<PopularPeople>();
        services.AddSingleton<NetworkSuggestions>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<SetupService>();
        services.AddScoped<CountsService>();
        services.AddScoped<PeopleImporter>();
        services.AddSingleton<EventSignal>();
        services.AddSingleton<WrittenPosts>();
        services.AddScoped<EventSequencer>();
        services.AddPostTypes(configuration);
        return settings;
    }

    public static ChorusSettings AddChorusServer(this WebApplicationBuilder builder)
    {
        var settings = builder.Services.AddChorusCore(builder.Configuration);
        var services = builder.Services;

        services.AddTrustedProxies(builder.Configuration);
        services.AddProblemDetails();
        // Binding failures (a non-number limit, a missing body) become exceptions that ProblemExceptionHandler names.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        services.AddSingleton<JsonConverter, PostJson>();
        DatabaseKeyRepository.AddDatabaseKeyRing(services);
        services.AddAuthentication(o =>
        {
            o.AddScheme<ChorusAuthenticationHandler>(ChorusAuthenticationHandler.SchemeName, null);
            o.DefaultScheme = ChorusAuthenticationHandler.SchemeName;
        });
        services.AddTransient<ChorusAuthenticationHandler>();
        services.AddAuthorization();
        // The signed-in requests answered without evaluating the policy again; the framework's evaluator for the rest.
        services.AddTransient<Microsoft.AspNetCore.Authorization.Policy.PolicyEvaluator>();
        services.Replace(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Authorization.Policy.IPolicyEvaluator, SignedInPolicyEvaluator>());
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "RequestVerificationToken";
            o.Cookie.Name = "chorus_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddChorusRateLimits(settings);
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Web/Pages";
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToPage("/Setup");
            o.Conventions.AllowAnonymousToPage("/Error");
        });
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Chorus API";
            doc.Info.Version = "v1";
            doc.Info.Description = "The Chorus REST API. Authenticate with 'Authorization: Bearer <personal access token>'. Errors are RFC 9457 problem+json.";
            return Task.CompletedTask;
        }));
        services.AddSingleton<StreamHub>();
        services.AddScoped<StreamRoutes>();
        services.AddScoped<StreamEventBuilder>();
        services.AddScoped<StreamSession>();
        services.AddSingleton<Data.SqliteCheckpointer>();
        services.AddHostedService(sp => sp.GetRequiredService<Data.SqliteCheckpointer>());
        services.AddHostedService<EventDispatcher>();
        services.AddHostedService<PostgresEventListener>();
        services.AddHostedService<EventRetention>();
        services.AddHostedService<StreamHeartbeat>();
        services.AddHostedService<Features.PostTypes.EventReminders>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Uploads have their own, smaller limits; nothing needs more than this.
            k.Limits.MaxRequestBodySize = 8 * 1024 * 1024;
            k.AddServerHeader = false;
        });
        DatabaseKeyRepository.LoadKeyRingAfterStart(services);
        return settings;
    }
}
