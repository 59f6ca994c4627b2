using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chorus.Bench;

/// <summary>
/// Many idle Server-Sent Events connections on raw sockets: the request is written by hand and the response is only
/// scanned for post markers (<c>bm&lt;n&gt;x</c>), so the client costs little per connection and the same code
/// measures Chorus and the bare ceiling. Each connection records when it first saw each marker.
/// </summary>
public sealed class SseSwarm : IAsyncDisposable
{
    readonly List<Connection> _connections = [];
    readonly CancellationTokenSource _stop = new();

    public int Count => _connections.Count;
    public int Failed { get; private set; }
    public string? FirstFailure { get; private set; }
    /// <summary>Bytes of the first read on connection 0 that held post 0: about one event's size on the wire.</summary>
    public int FirstEventBytes => _connections.Count > 0 ? _connections[0].FirstEventBytes : 0;

    sealed class Connection(Socket socket, int posts)
    {
        public readonly Socket Socket = socket;
        public readonly long[] Arrivals = new long[posts];
        public int FirstEventBytes;
        public Task? Reader;
    }

    public static async Task<SseSwarm> OpenAsync(Uri server, string pathAndQuery, IReadOnlyList<string?> tokens, int count, int posts, int parallel = 64)
    {
        var swarm = new SseSwarm();
        var endpoint = new IPEndPoint(IPAddress.Parse(server.Host), server.Port);
        using var gate = new SemaphoreSlim(parallel);
        var opening = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try { return await swarm.OpenOneAsync(endpoint, server, pathAndQuery, tokens.Count == 0 ? null : tokens[i % tokens.Count], posts); }
            finally { gate.Release(); }
        });
        foreach (var c in await Task.WhenAll(opening))
            if (c is not null) swarm._connections.Add(c);
        return swarm;
    }

    async Task<Connection?> OpenOneAsync(IPEndPoint endpoint, Uri server, string pathAndQuery, string? token, int posts)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint);
            var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nAccept: text/event-stream\r\n" +
                (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request));
            // Read up to the end of the headers (and the ": connected" comment, which follows at once).
            var buffer = new byte[4096];
            var filled = 0;
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled));
                if (n == 0) throw new IOException("closed before the headers");
                filled += n;
                var text = Encoding.ASCII.GetString(buffer, 0, filled);
                if (!text.Contains("\r\n\r\n", StringComparison.Ordinal)) continue;
                if (!text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal)) throw new IOException(text.Split("\r\n")[0]);
                break;
            }
            var connection = new Connection(socket, posts);
            connection.Reader = Task.Run(() => ReadAsync(connection, buffer));
            return connection;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            lock (_connections) { Failed++; FirstFailure ??= e.Message; }
            socket.Dispose();
            return null;
        }
    }

    async Task ReadAsync(Connection c, byte[] buffer)
    {
        // A marker split across two reads is found by keeping the tail of the previous read in front of the next.
        const int Carry = 16;
        var kept = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await c.Socket.ReceiveAsync(buffer.AsMemory(kept), _stop.Token);
                if (n == 0) return;
                var now = Stopwatch.GetTimestamp();
                var end = kept + n;
                Scan(c, buffer.AsSpan(0, end), now, n);
                kept = Math.Min(Carry, end);
                Buffer.BlockCopy(buffer, end - kept, buffer, 0, kept);
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    static void Scan(Connection c, ReadOnlySpan<byte> data, long now, int readBytes)
    {
        for (var i = data.IndexOf("bm"u8); i >= 0; )
        {
            var j = i + 2;
            var post = 0;
            while (j < data.Length && data[j] is >= (byte)'0' and <= (byte)'9') post = post * 10 + (data[j++] - '0');
            if (j < data.Length && j > i + 2 && data[j] == (byte)'x' && post < c.Arrivals.Length && c.Arrivals[post] == 0)
            {
                c.Arrivals[post] = now;
                if (post == 0) c.FirstEventBytes = readBytes;
            }
            var next = data[(i + 2)..].IndexOf("bm"u8);
            i = next < 0 ? -1 : i + 2 + next;
        }
    }

    /// <summary>How many (connection, post) deliveries have arrived so far.</summary>
    public long Delivered(int posts) => _connections.Sum(c => (long)c.Arrivals.Take(posts).Count(a => a != 0));

    /// <summary>Delivery latencies in ms (arrival minus the moment the post was sent) and the last arrival.</summary>
    public (List<double> LatenciesMs, long LastArrival) Latencies(long[] sent)
    {
        var all = new List<double>(_connections.Count * sent.Length);
        long last = 0;
        foreach (var c in _connections)
            for (var p = 0; p < sent.Length; p++)
                if (c.Arrivals[p] != 0 && sent[p] != 0)
                {
                    all.Add(Stopwatch.GetElapsedTime(sent[p], c.Arrivals[p]).TotalMilliseconds);
                    last = Math.Max(last, c.Arrivals[p]);
                }
        return (all, last);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var c in _connections) c.Socket.Dispose();
        await Task.WhenAll(_connections.Select(c => c.Reader ?? Task.CompletedTask));
        _stop.Dispose();
    }
}
