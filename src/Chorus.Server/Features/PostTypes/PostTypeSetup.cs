using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.PostTypes;

public static class PostTypeSetup
{
    public static IServiceCollection AddPostTypes(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new EventOptions();
        configuration.GetSection("Chorus:Events").Bind(options);
        if (options.ReminderLeadMinutes is < 1 or > 10_080)
            throw new InvalidConfigurationException("Chorus:Events:ReminderLeadMinutes", "must be between 1 and 10080 (a week).");
        if (options.ReminderPollSeconds < 1)
            throw new InvalidConfigurationException("Chorus:Events:ReminderPollSeconds", "must be at least 1.");
        services.AddSingleton(options);
        var announcements = new AnnouncementOptions();
        configuration.GetSection("Chorus:Announcements").Bind(announcements);
        if (announcements.NotifyBatch is < 1 or > 10_000)
            throw new InvalidConfigurationException("Chorus:Announcements:NotifyBatch", "must be between 1 and 10000.");
        services.AddSingleton(announcements);
        services.AddSingleton<AnnouncementFanoutSignal>();
        services.AddScoped<AnnouncementFanout>();
        services.AddHostedService<AnnouncementFanoutJob>();
        services.AddScoped<PostTypeAccess>();
        services.AddScoped<AnnouncementService>();
        services.AddScoped<QuestionService>();
        services.AddScoped<PollService>();
        services.AddScoped<PraiseService>();
        services.AddScoped<EventService>();
        services.AddScoped<EventReminderService>();
        services.AddScoped<IPostDetails, AnnouncementDetailsRenderer>();
        services.AddScoped<IPostDetails, QuestionDetailsRenderer>();
        services.AddScoped<IPostDetails, PollDetailsRenderer>();
        services.AddScoped<IPostDetails, PraiseDetailsRenderer>();
        services.AddScoped<IPostDetails, EventDetailsRenderer>();
        return services;
    }
}
