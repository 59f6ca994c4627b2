using System.Text.Json.Nodes;

namespace Chorus.Tests.Infrastructure;

/// <summary>
/// The server's GC settings are part of its latency (bench/findings.md, ADR 011): they live in the build's
/// runtimeconfig.json, which <c>dotnet Chorus.Server.dll</c> and a published server both read.
/// </summary>
public sealed class RuntimeConfigTests
{
    static JsonObject ServerConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Chorus.Server.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing: the test project references the server, so its build copies it here.");
        return JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!.AsObject();
    }

    [Fact]
    public void The_server_runs_server_GC_with_a_capped_gen0_budget()
    {
        var properties = ServerConfigProperties();
        Assert.True(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.Equal(0, properties["System.GC.DynamicAdaptationMode"]!.GetValue<int>());
        // 32 MB a heap: small enough that a collection's survivors (new posts' cached views) copy in ~10 ms.
        Assert.Equal(32L * 1024 * 1024, properties["System.GC.Gen0MaxBudget"]!.GetValue<long>());
    }
}
