using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;

// A bare Server-Sent Events broadcaster: GET /sse holds a connection open; POST /broadcast writes its body as one
// event to every open connection. Each connection has an outbox channel drained by its own request, as in Chorus
// (a broadcast must never wait on a slow client), but nothing else: no auth, no database, no visibility checks.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var connections = new ConcurrentDictionary<long, Channel<byte[]>>();
long nextId = 0;
long nextEvent = 0;

app.MapGet("/sse", async (HttpContext http, CancellationToken ct) =>
{
    var outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(2000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    var id = Interlocked.Increment(ref nextId);
    connections[id] = outbox;
    try
    {
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        var body = http.Response.Body;
        await body.WriteAsync("retry: 2000\n: connected\n\n"u8.ToArray(), ct);
        await body.FlushAsync(ct);
        while (await outbox.Reader.WaitToReadAsync(ct))
        {
            while (outbox.Reader.TryRead(out var message)) await body.WriteAsync(message, ct);
            await body.FlushAsync(ct);
        }
    }
    catch (OperationCanceledException) { /* the client went away */ }
    catch (IOException) { /* the client went away */ }
    finally { connections.TryRemove(id, out _); }
});

app.MapPost("/broadcast", async (HttpContext http) =>
{
    using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
    var data = await reader.ReadToEndAsync();
    var message = Encoding.UTF8.GetBytes($"id: {Interlocked.Increment(ref nextEvent)}\nevent: post.created\ndata: {data}\n\n");
    foreach (var outbox in connections.Values) outbox.Writer.TryWrite(message);
    return Results.Ok(connections.Count);
});

app.MapGet("/readyz", () => "ok");
app.Run();
