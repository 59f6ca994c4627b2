extern alias bench;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using bench::Chorus.Bench;

namespace Chorus.Tests.Bench;

/// <summary>
/// The load generator's open loop (bench/Chorus.Bench/LoadGenerator.cs) against a small server of the test's own: every
/// request that falls due is sent, and a request that had to wait for a free connection counts its wait.
/// </summary>
public sealed class OpenLoopTests : IAsyncLifetime
{
    WebApplication _app = null!;
    Uri _base = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/fast", () => "ok");
        _app.MapGet("/slow", async () => { await Task.Delay(100); return "ok"; });
        await _app.StartAsync();
        _base = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_request_due_in_the_measured_period_is_sent_and_answered()
    {
        var result = await LoadGenerator.RunOpenAsync("fast", _base, 200, 8, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1),
            (c, ct) => c.GetAsync("/fast", null, "fast", ct));

        Assert.Equal("open", result.Mode);
        Assert.Equal(0, result.Errors);
        // 200 are due in the measured second; a request due just before it that completes inside it counts too.
        Assert.InRange(result.Requests, 150, 260);
        Assert.InRange(result.Latency.Count, 150, 260);
        Assert.InRange(result.Concurrency, 1, 8);
    }

    [Fact]
    public async Task A_request_that_waits_for_a_busy_connection_counts_the_wait()
    {
        // 50 requests a second that each take 100 ms need ~5 connections; with 2, at most 20 a second are answered and the
        // rest queue, so the later ones' latency, measured from when they were due, grows far past the 100 ms each one
        // takes once sent. A loop that timed from the send (coordinated omission) would report ~100 ms throughout.
        var result = await LoadGenerator.RunOpenAsync("slow", _base, 50, 2, TimeSpan.Zero, TimeSpan.FromSeconds(1),
            (c, ct) => c.GetAsync("/slow", null, "slow", ct));

        Assert.Equal(0, result.Errors);
        Assert.Equal(2, result.Concurrency);
        Assert.True(result.Latency.Max > 500, $"max latency {result.Latency.Max} ms");
        Assert.True(result.Latency.P50 >= 100, $"median latency {result.Latency.P50} ms");
    }

    [Fact]
    public async Task An_iteration_that_does_not_finish_on_its_own_thread_fails_the_run_with_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LoadGenerator.RunOpenAsync("async", _base, 50, 2,
            TimeSpan.Zero, TimeSpan.FromMilliseconds(300), async (c, ct) => { await Task.Yield(); await c.GetAsync("/fast", null, "fast", ct); }));
        Assert.Contains("a connection failed", error.Message);
        Assert.Contains("synchronously", error.InnerException!.Message);
    }
}
