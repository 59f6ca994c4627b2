using System.Net.Http.Headers;
using System.Text.Json;

namespace Chorus.Tests.Realtime;

public sealed record SseEvent(long? Id, string Event, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>A minimal Server-Sent Events reader for tests: parses id/event/data fields, skips comments.</summary>
public sealed class SseClient : IAsyncDisposable
{
    readonly HttpResponseMessage _response;
    readonly StreamReader _reader;
    readonly CancellationTokenSource _cts = new();
    bool _ended;

    /// <summary>What a failed wait adds to its message about the servers (set by the suite that runs them).</summary>
    public static Func<Task<string>> Describe { get; set; } = () => Task.FromResult("");

    SseClient(HttpResponseMessage response, StreamReader reader) { _response = response; _reader = reader; }

    /// <summary>The stream's response headers.</summary>
    public HttpResponseHeaders Headers => _response.Headers;

    /// <summary>Whether the server ended the stream (a read returned end of stream).</summary>
    public bool Ended => _ended;

    public static async Task<SseClient> ConnectAsync(HttpClient client, string streams, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/streaming?" + string.Join('&', streams.Split(',').Select(s => "stream=" + Uri.EscapeDataString(s))));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } id) request.Headers.Add("Last-Event-ID", id.ToString());
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // Only read the body of a failure: a stream's body never ends.
        if (!response.IsSuccessStatusCode) Assert.Fail($"stream failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        return new SseClient(response, reader);
    }

    /// <summary>The next event, or null when the stream ended or nothing came within <paramref name="wait"/>.</summary>
    public async Task<SseEvent?> NextAsync(TimeSpan? wait = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
        timeout.CancelAfter(wait ?? TimeSpan.FromSeconds(20));
        long? id = null;
        string? name = null;
        var data = new List<string>();
        try
        {
            while (true)
            {
                var line = await _reader.ReadLineAsync(timeout.Token);
                if (line is null) { _ended = true; return null; }
                if (line.Length == 0)
                {
                    if (name is null && data.Count == 0) continue;
                    return new SseEvent(id, name ?? "message", string.Join('\n', data));
                }
                if (line.StartsWith(':')) continue;
                var colon = line.IndexOf(':');
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "id": id = long.Parse(value); break;
                    case "event": name = value; break;
                    case "data": data.Add(value); break;
                }
            }
        }
        catch (OperationCanceledException) { return null; }
    }

    /// <summary>Reads until an event matches; fails the test if the stream ends or times out first.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, TimeSpan? wait = null)
    {
        var started = DateTime.UtcNow;
        var deadline = started + (wait ?? TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        var ended = false;
        while (DateTime.UtcNow < deadline)
        {
            var e = await NextAsync(deadline - DateTime.UtcNow);
            if (e is null) { ended = _ended; break; }
            if (match(e)) return e;
            seen.Add($"{e.Id}:{e.Event}");
        }
        // Say why, so a failure under load can be told from a lost event: the stream ended, or time ran out.
        throw new Xunit.Sdk.XunitException(
            $"The expected event did not arrive: {(ended ? "the stream ended" : "nothing matched")} after {(DateTime.UtcNow - started).TotalSeconds:F1} s; " +
            $"saw [{string.Join(", ", seen)}]; {await Describe()}");
    }

    /// <summary>Collects every event that arrives until <paramref name="quiet"/> passes without one.</summary>
    public async Task<List<SseEvent>> DrainAsync(TimeSpan quiet)
    {
        var all = new List<SseEvent>();
        while (await NextAsync(quiet) is { } e) all.Add(e);
        return all;
    }

    public ValueTask DisposeAsync()
    {
        _cts.Cancel();
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
