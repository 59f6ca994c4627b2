using Chorus.Server.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chorus.Cli;

/// <summary>
/// The CLI's services: the server's own wiring (<see cref="ServerSetup.AddChorusCore"/>) over the same configuration
/// sources as the server — appsettings.json beside the binary, environment variables — plus --data-dir, --provider and
/// --connection, which win over both.
/// </summary>
public static class CliHost
{
    public static readonly IReadOnlyDictionary<string, string> OptionKeys = new Dictionary<string, string>
    {
        ["--data-dir"] = "Chorus:DataDirectory",
        ["--provider"] = "Chorus:Database:Provider",
        ["--connection"] = "ConnectionStrings:Chorus",
    };

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the bad setting.</summary>
    public static IHost Build(ParsedCommand command)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(OptionKeys
            .Where(o => command.Get(o.Key) is not null)
            .Select(o => new KeyValuePair<string, string?>(o.Value, command.Get(o.Key)))
            // Quiet: the commands print what matters; warnings and errors still reach stderr. This overrides the
            // server's appsettings.json, which logs at Information.
            .Append(new("Logging:LogLevel:Default", "Warning")));

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        builder.Services.AddChorusCore(builder.Configuration);
        return builder.Build();
    }
}
