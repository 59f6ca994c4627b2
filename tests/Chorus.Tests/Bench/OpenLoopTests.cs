extern alias bench;

using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using bench::Chorus.Bench;

namespace Chorus.Tests.Bench;

/// <summary>
/// The load generator's open loop (bench/Chorus.Bench/OpenLoop.cs) against a small server of the test's own: every
/// request that falls due is sent and its answer read, a request that had to wait for a free connection counts its
/// wait, and failures count as errors without stopping the loop.
/// </summary>
public sealed class OpenLoopTests : IAsyncLifetime
{
    WebApplication _app = null!;
    Uri _base = null!;
    int _posted;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/fast", () => "ok");
        // A body larger than one read (the open loop reads 32 KB at a time) and sent in chunks.
        _app.MapGet("/big", async (HttpContext context) =>
        {
            for (var i = 0; i < 10; i++)
            {
                await context.Response.WriteAsync(new string('x', 10_000));
                await context.Response.Body.FlushAsync();
            }
        });
        _app.MapGet("/slow", async () => { await Task.Delay(100); return "ok"; });
        _app.MapGet("/close", (HttpContext context) => { context.Response.Headers.Connection = "close"; return "bye"; });
        _app.MapPost("/posts", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            Interlocked.Increment(ref _posted);
            return body.Contains("\"text\"") ? Results.Created("/posts/1", new { id = 1 }) : Results.BadRequest();
        });
        await _app.StartAsync();
        _base = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/fast", 1)]
    [InlineData("/big", 2)]
    [InlineData("/close", 2)]
    public async Task Every_request_due_in_the_measured_period_is_sent_and_answered(string path, int threads)
    {
        var result = await LoadGenerator.RunOpenAsync(path, _base, 200, 8, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1),
            () => LoadRequest.Get(path, "token", "get"), threads: threads);

        Assert.Equal("open", result.Mode);
        // 1.3 s at 200 a second: requests 0..259 fall due, and each is sent and answered, however slowly the machine
        // runs (a busy machine only moves answers past the measured second; the loop waits for them).
        Assert.Equal(260, result.AllRequests);
        Assert.Equal(0, result.AllErrors);
        Assert.Equal(0, result.Errors);
        // Those answered in the measured second are some of them, each with its latency.
        Assert.InRange(result.Requests, 1, 260);
        Assert.Equal(result.Requests, result.Latency.Count);
        Assert.InRange(result.Concurrency, threads, path == "/close" ? 1000 : 8);
    }

    [Fact]
    public async Task Posts_go_out_with_their_bodies_and_an_unexpected_status_is_an_error()
    {
        var n = 0;
        var result = await LoadGenerator.RunOpenAsync("posts", _base, 100, 4, TimeSpan.Zero, TimeSpan.FromSeconds(1),
            () => Interlocked.Increment(ref n) % 2 == 0
                ? LoadRequest.PostJson("/posts", "token", """{"text":"hello"}""", HttpStatusCode.Created, "post")
                : LoadRequest.PostJson("/posts", "token", """{"other":1}""", HttpStatusCode.Created, "post"));

        // One second at 100 a second: 100 due, every other one without the field the server asks for.
        Assert.Equal(100, result.AllRequests);
        Assert.Equal(50, result.AllErrors);
        Assert.Equal(100, Volatile.Read(ref _posted));
        Assert.InRange(result.Errors, 0, result.Requests);
    }

    [Fact]
    public async Task A_request_that_waits_for_a_busy_connection_counts_the_wait()
    {
        // 50 requests a second that each take 100 ms need ~5 connections; with 2, at most 20 a second are answered and the
        // rest queue, so the later ones' latency, measured from when they were due, grows far past the 100 ms each one
        // takes once sent. A loop that timed from the send (coordinated omission) would report ~100 ms throughout.
        var result = await LoadGenerator.RunOpenAsync("slow", _base, 50, 2, TimeSpan.Zero, TimeSpan.FromSeconds(1),
            () => LoadRequest.Get("/slow", null, "slow"), threads: 1);

        Assert.Equal(50, result.AllRequests);
        Assert.Equal(0, result.AllErrors);
        Assert.Equal(2, result.Concurrency);
        Assert.True(result.Latency.Max > 500, $"max latency {result.Latency.Max} ms");
        Assert.True(result.Latency.P50 >= 100, $"median latency {result.Latency.P50} ms");
    }

    [Fact]
    public async Task Requests_to_a_server_that_is_not_there_are_errors_and_the_loop_ends_on_time()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: every connection is refused

        var result = await LoadGenerator.RunOpenAsync("refused", new Uri($"http://127.0.0.1:{port}"), 100, 4, TimeSpan.Zero,
            TimeSpan.FromSeconds(1), () => LoadRequest.Get("/fast", null, "fast"));

        Assert.Equal(100, result.AllRequests);
        Assert.Equal(100, result.AllErrors);
        Assert.Equal(result.Requests, result.Errors);
        Assert.Equal(0, result.Latency.Count);
    }
}
