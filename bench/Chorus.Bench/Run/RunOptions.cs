using Chorus.Bench.Strategy;

namespace Chorus.Bench.Run;

/// <summary>What `run` measures: workloads, data size, databases, and where results, report and charts go. Port 0 picks free ports.</summary>
public sealed record RunOptions(
    IReadOnlySet<string> Workloads, RunSize Size, IReadOnlyList<string> Databases, int Port, string? OutputDirectory, string? PostgresAdmin,
    string? TraceDirectory = null, string? KeepDirectory = null)
{
    /// <summary>w3 measures W3 (delivery) and W4 (memory per idle stream) together, as `stream` does.</summary>
    public static readonly string[] KnownWorkloads = ["w1", "w2", "w3", "w5", "w6", "ceilings"];

    public bool Has(string workload) => Workloads.Contains(workload);
}

/// <summary>A data size and the measuring periods that go with it (smoke only proves the harness works end to end).</summary>
/// <param name="Streams">W3/W4: the numbers of idle streams measured, posts at 10/s, demo people signed in, and how long
/// each server is left alone before its memory is read.</param>
/// <param name="SteadyMax">The longest a closed loop's warm-up may run while its rate still rises (<see cref="SteadyWarmUp"/>);
/// equal to <paramref name="WarmUp"/> for a fixed warm-up.</param>
public sealed record RunSize(string Name, OrgShape Shape, TimeSpan WarmUp, TimeSpan Duration, TimeSpan SteadyMax, int StartRuns, int VisibilityPosts,
    StreamSize Streams)
{
    /// <summary>The closed loops' warm-up: at least <see cref="WarmUp"/>, longer while the rate still rises.</summary>
    public SteadyWarmUp Steady => new(WarmUp, SteadyMax, TimeSpan.FromSeconds(5));

    public static RunSize? For(string name) => name switch
    {
        "smoke" => new RunSize("smoke", new OrgShape("smoke", 400, 4_000, 30, 5, 20), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5), 2, 2,
            new StreamSize([20], 5, 20, TimeSpan.FromSeconds(0.3))),
        "small" => new RunSize("small", OrgShape.For("small")!, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(45), 3, 10,
            new StreamSize([1_000], 100, 200, TimeSpan.FromSeconds(3))),
        "full" => new RunSize("full", OrgShape.For("full")!, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60), 3, 20,
            new StreamSize([1_000, 10_000], 100, 200, TimeSpan.FromSeconds(3))),
        _ => null,
    };
}

public sealed record StreamSize(int[] Connections, int Posts, int Users, TimeSpan Quiet);
