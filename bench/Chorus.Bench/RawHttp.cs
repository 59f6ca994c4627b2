using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chorus.Bench;

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends a request and reads its whole response, with nothing else: the
/// load generator's client. It shares the machine's two cores with the server, and .NET's <c>HttpClient</c> (headers
/// collections, handler pipeline, pooled-connection bookkeeping) took enough of them that <c>/healthz</c> answered
/// 28,070 req/s to it against 44,583 to <c>wrk</c> in the same minutes (bench/findings.md, eighth session). This reads
/// exactly what the server sends — status line, headers, a Content-Length or chunked body — and keeps the body only
/// when asked. A response with <c>Connection: close</c>, or any failure, closes the socket; the next request opens a new
/// one. <see cref="ResponseReader"/> is the parser, separate so that tests can feed it bytes.
/// </summary>
public sealed class RawHttpConnection(Uri baseAddress) : IDisposable
{
    readonly byte[] _hostLine = HttpRequestBytes.HostLine(baseAddress);
    byte[] _request = new byte[16 * 1024];
    Socket? _socket;
    NetworkStream? _stream;
    ResponseReader? _reader;

    /// <summary>The server's address (an IP literal as is; a name to its IPv4 address when it has one).</summary>
    public static async Task<IPEndPoint> ResolveAsync(Uri baseAddress, CancellationToken ct)
    {
        var address = IPAddress.TryParse(baseAddress.Host, out var ip) ? ip
            : (await Dns.GetHostAddressesAsync(baseAddress.Host, ct)).OrderBy(a => a.AddressFamily != AddressFamily.InterNetwork).First();
        return new IPEndPoint(address, baseAddress.Port);
    }

    /// <summary>Sends one request and reads its response: the status code, and the body when <paramref name="keepBody"/>.</summary>
    /// <exception cref="IOException">The connection failed or the response was malformed (the connection is closed).</exception>
    public async Task<(int Status, byte[]? Body)> SendAsync(string method, string pathAndQuery, string? bearer, ReadOnlyMemory<byte> json,
        bool keepBody, CancellationToken ct)
    {
        try
        {
            if (_stream is null)
            {
                var endpoint = await ResolveAsync(baseAddress, ct);
                _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await _socket.ConnectAsync(endpoint, ct);
                _stream = new NetworkStream(_socket, ownsSocket: true);
                _reader = new ResponseReader(_stream);
            }
            var length = WriteRequest(method, pathAndQuery, bearer, json.Span);
            await _stream.WriteAsync(_request.AsMemory(0, length), ct);
            var response = await _reader!.ReadAsync(keepBody, ct);
            if (response.Close) Close();
            return (response.Status, response.Body);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close();
            if (e is OperationCanceledException) throw;
            throw new IOException(e.Message, e);
        }
    }

    int WriteRequest(string method, string pathAndQuery, string? bearer, ReadOnlySpan<byte> json) =>
        HttpRequestBytes.Write(ref _request, _hostLine, method, pathAndQuery, bearer, json);

    void Close()
    {
        _stream?.Dispose();
        _stream = null;
        _socket = null;
        _reader = null;
    }

    public void Dispose() => Close();
}

/// <summary>Writes one HTTP/1.1 request (a JSON body when not a GET) into a buffer the caller reuses.</summary>
public static class HttpRequestBytes
{
    /// <summary>The request's bytes at the start of <paramref name="buffer"/> (grown when too small); returns their length.
    /// <paramref name="hostLine"/> is the whole <c>Host: …\r\n</c> line.</summary>
    public static int Write(ref byte[] buffer, byte[] hostLine, string method, string pathAndQuery, string? bearer, ReadOnlySpan<byte> json)
    {
        var most = 256 + hostLine.Length + method.Length + pathAndQuery.Length + (bearer?.Length ?? 0) + json.Length;
        if (most > buffer.Length) buffer = new byte[most];
        var span = buffer.AsSpan();
        var n = Encoding.ASCII.GetBytes($"{method} {pathAndQuery} HTTP/1.1\r\n", span);
        hostLine.CopyTo(span[n..]);
        n += hostLine.Length;
        if (bearer is not null) n += Encoding.ASCII.GetBytes($"Authorization: Bearer {bearer}\r\n", span[n..]);
        if (method != "GET")
        {
            n += Encoding.ASCII.GetBytes("Content-Type: application/json; charset=utf-8\r\nContent-Length: ", span[n..]);
            Utf8Formatter.TryFormat(json.Length, span[n..], out var w);
            n += w;
            n += Encoding.ASCII.GetBytes("\r\n", span[n..]);
        }
        n += Encoding.ASCII.GetBytes("\r\n", span[n..]);
        json.CopyTo(span[n..]);
        return n + json.Length;
    }

    /// <summary>The <c>Host</c> line for requests to <paramref name="baseAddress"/>.</summary>
    public static byte[] HostLine(Uri baseAddress) => Encoding.ASCII.GetBytes($"Host: {baseAddress.Authority}\r\n");
}

/// <summary>An HTTP/1.1 response's status line and the headers that say where its body ends.</summary>
public static class ResponseHead
{
    /// <summary>Parses a header block (without its closing empty line). <c>ContentLength</c> is -1 when absent.</summary>
    /// <exception cref="IOException">A malformed status line or Content-Length.</exception>
    public static (int Status, long ContentLength, bool Chunked, bool Close) Parse(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
            throw new IOException("malformed status line");
        long contentLength = -1;
        bool chunked = false, close = false;
        var lines = head[(head.IndexOf("\r\n"u8) is var e and >= 0 ? e + 2 : head.Length)..];
        while (lines.Length > 0)
        {
            var lineEnd = lines.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? lines : lines[..lineEnd];
            lines = lineEnd < 0 ? [] : lines[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon < 0) continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out _)) throw new IOException("malformed Content-Length");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)) chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8)) close = Ascii.EqualsIgnoreCase(value, "close"u8);
        }
        return (status, contentLength, chunked, close);
    }

    /// <summary>True for the statuses that never have a body (1xx, 204, 304).</summary>
    public static bool HasNoBody(int status) => status is (>= 100 and < 200) or 204 or 304;

    /// <summary>A chunk-size line's size (hex, extensions after ';' ignored).</summary>
    /// <exception cref="IOException">Not a size.</exception>
    public static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        if (!Utf8Parser.TryParse(semicolon < 0 ? line : line[..semicolon], out long size, out _, 'x') || size < 0)
            throw new IOException("malformed chunk size");
        return size;
    }

    /// <summary>
    /// The length of the first whole response at the start of <paramref name="data"/>, or -1 when more bytes are
    /// needed: the open loop's event loops read into a buffer and ask this, without copying a body anywhere. A response
    /// without a length or chunking runs to the end of the connection, so it is whole only at <paramref name="eof"/>.
    /// </summary>
    /// <exception cref="IOException">Malformed, or cut short by <paramref name="eof"/>.</exception>
    public static int Measure(ReadOnlySpan<byte> data, bool eof, out int status, out bool close)
    {
        status = 0;
        close = false;
        var headerEnd = data.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0) return Incomplete(eof);
        (status, var contentLength, var chunked, close) = Parse(data[..headerEnd]);
        var at = headerEnd + 4;
        if (HasNoBody(status)) return at;
        if (chunked)
        {
            while (true)
            {
                var lineEnd = data[at..].IndexOf("\r\n"u8);
                if (lineEnd < 0) return Incomplete(eof);
                var size = ChunkSize(data.Slice(at, lineEnd));
                at += lineEnd + 2;
                if (size == 0)
                {
                    // Trailers, then the empty line.
                    while (true)
                    {
                        var trailerEnd = data[at..].IndexOf("\r\n"u8);
                        if (trailerEnd < 0) return Incomplete(eof);
                        at += trailerEnd + 2;
                        if (trailerEnd == 0) return at;
                    }
                }
                if (data.Length - at < size + 2) return Incomplete(eof);
                at += (int)size;
                if (!data.Slice(at, 2).SequenceEqual("\r\n"u8)) throw new IOException("chunk not followed by CRLF");
                at += 2;
            }
        }
        if (contentLength >= 0) return data.Length - at >= contentLength ? at + (int)contentLength : Incomplete(eof);
        close = true;
        return eof ? data.Length : -1;
    }

    static int Incomplete(bool eof) => eof ? throw new IOException("the server closed the connection mid-response") : -1;
}

/// <summary>Reads HTTP/1.1 responses off a stream, one after another (what is read past one response starts the next).</summary>
public sealed class ResponseReader(Stream stream)
{
    byte[] _buffer = new byte[64 * 1024];
    int _start, _end;

    public sealed record Response(int Status, byte[]? Body, bool Close);

    public async Task<Response> ReadAsync(bool keepBody, CancellationToken ct)
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            await FillAsync(ct);
        var head = _buffer.AsSpan(_start, headerEnd);
        _start += headerEnd + 4;

        var (status, contentLength, chunked, close) = ResponseHead.Parse(head);

        var body = keepBody ? new MemoryStream() : null;
        if (ResponseHead.HasNoBody(status)) { }
        else if (chunked)
        {
            while (true)
            {
                var line = await ReadLineAsync(ct);
                var size = ResponseHead.ChunkSize(line);
                if (size == 0)
                {
                    while ((await ReadLineAsync(ct)).Length > 0) { } // trailers, then the empty line
                    break;
                }
                await ReadBodyAsync(size, body, ct);
                if ((await ReadLineAsync(ct)).Length != 0) throw new IOException("chunk not followed by CRLF");
            }
        }
        else if (contentLength >= 0) await ReadBodyAsync(contentLength, body, ct);
        else
        {
            // No length: the body runs to the end of the connection.
            close = true;
            while (true)
            {
                body?.Write(_buffer, _start, _end - _start);
                _start = _end;
                if (!await TryFillAsync(ct)) break;
            }
        }
        return new Response(status, body?.ToArray(), close);
    }

    async Task ReadBodyAsync(long length, MemoryStream? body, CancellationToken ct)
    {
        while (length > 0)
        {
            if (_start == _end) await FillAsync(ct);
            var take = (int)Math.Min(length, _end - _start);
            body?.Write(_buffer, _start, take);
            _start += take;
            length -= take;
        }
    }

    async Task<byte[]> ReadLineAsync(CancellationToken ct)
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0) await FillAsync(ct);
        var line = _buffer.AsSpan(_start, end).ToArray();
        _start += end + 2;
        return line;
    }

    async Task FillAsync(CancellationToken ct)
    {
        if (!await TryFillAsync(ct)) throw new IOException("the server closed the connection mid-response");
    }

    async Task<bool> TryFillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            // Keep the unread bytes at the front; grow only when a header block fills the whole buffer.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct);
        _end += read;
        return read > 0;
    }
}
