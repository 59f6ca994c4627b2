extern alias bench;

using bench::Chorus.Bench.Run;

namespace Chorus.Tests.Bench;

/// <summary>
/// The benchmark harness end to end at smoke size (400 people, 4,000 posts): generator, bulk load, real server
/// process, every workload, results, report and charts, into a temp directory. It proves the harness works; it asserts
/// nothing about speed (the numbers of a smoke run on a busy test machine mean nothing).
/// </summary>
public sealed class HarnessSmokeTests
{
    [Fact]
    public async Task Smoke_run_produces_results_report_and_charts_for_every_workload()
    {
        var output = Directory.CreateTempSubdirectory("chorus-bench-smoke-").FullName;
        try
        {
            var pg = Environment.GetEnvironmentVariable("CHORUS_TEST_PG");
            string[] databases = string.IsNullOrWhiteSpace(pg) ? ["sqlite"] : ["sqlite", "postgres"];
            var options = new RunOptions(RunOptions.KnownWorkloads.ToHashSet(), RunSize.For("smoke")!, databases, Port: 0, output, pg);

            Assert.Equal(0, await RunCommand.RunAsync(options));

            foreach (var db in databases)
            {
                foreach (var workload in RunOptions.KnownWorkloads)
                {
                    var json = await File.ReadAllTextAsync(Path.Combine(output, "results", $"run-{db}-smoke-{workload}.json"));
                    Assert.Contains("\"rows\"", json, StringComparison.Ordinal);
                }
                // Every measured request is in some second's slowest, so the slowest second holds the load's max.
                using (var w1 = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "results", $"run-{db}-smoke-w1.json"))))
                    foreach (var load in new[] { "Closed", "OpenHalf", "Open" })
                    {
                        var result = w1.RootElement.GetProperty("details").GetProperty(load);
                        var slowest = result.GetProperty("SlowestBySecond").EnumerateArray().Max(e => e.GetDouble());
                        Assert.Equal(result.GetProperty("Latency").GetProperty("Max").GetDouble(), slowest, 0.051);
                        Assert.True(result.GetProperty("MeasuredFromUnixMs").GetInt64() > 0);
                    }
                foreach (var chart in new[] { "w1-latency", "w1-throughput", "w2-latency", "w2-throughput" })
                    Assert.StartsWith("<svg", await File.ReadAllTextAsync(Path.Combine(output, "benchmarks", $"{db}-smoke-{chart}.svg")), StringComparison.Ordinal);
            }
            var report = await File.ReadAllTextAsync(Path.Combine(output, "benchmarks.md"));
            Assert.Contains("W1 POST /posts", report, StringComparison.Ordinal);
            Assert.Contains("W2 GET /timelines/home", report, StringComparison.Ordinal);
            Assert.Contains("(the target rate) | offered 5,700/s", report, StringComparison.Ordinal);
            Assert.Contains("(the target's rate: 25% of /healthz) | offered", report, StringComparison.Ordinal);
            Assert.Contains("W6 process start", report, StringComparison.Ordinal);
            Assert.Contains("W3 post→client delivery", report, StringComparison.Ordinal);
            Assert.Contains("W4 idle SSE memory per connection", report, StringComparison.Ordinal);
            Assert.Contains("skipped: search does not exist yet", report, StringComparison.Ordinal);
            // The workloads' server ran with bench/StallProbe: each load's row says how long the server stood still in GC.
            Assert.Contains("server GC meanwhile:", report, StringComparison.Ordinal);
            if (databases.Contains("postgres"))
            {
                // PostgreSQL's rows say what the cluster did while each load was measured, and how it was set up.
                Assert.Contains("PostgreSQL meanwhile:", report, StringComparison.Ordinal);
                Assert.Contains("PostgreSQL server settings that shape writes", report, StringComparison.Ordinal);
                Assert.Contains("max_wal_size", report, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
