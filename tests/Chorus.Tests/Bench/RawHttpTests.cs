extern alias bench;

using System.Text;
using bench::Chorus.Bench;

namespace Chorus.Tests.Bench;

/// <summary>The load generator's HTTP/1.1 response parser (bench/Chorus.Bench/RawHttp.cs), fed bytes as a server sends them.</summary>
public sealed class RawHttpTests
{
    /// <summary>A stream that hands out its bytes a few at a time, as a socket may.</summary>
    sealed class Trickle(byte[] data, int step) : Stream
    {
        int _at;
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, step), data.Length - _at);
            Array.Copy(data, _at, buffer, offset, n);
            _at += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    static ResponseReader Reader(string wire, int step = 3) => new(new Trickle(Encoding.ASCII.GetBytes(wire), step));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Reads_content_length_and_chunked_responses_back_to_back_on_one_connection(int step)
    {
        var reader = Reader(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok" +
            "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n" +
            "HTTP/1.1 204 No Content\r\n\r\n" +
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\nConnection: close\r\n\r\nwrong", step);

        var first = await reader.ReadAsync(keepBody: true, default);
        Assert.Equal((200, "ok", false), (first.Status, Encoding.ASCII.GetString(first.Body!), first.Close));
        var second = await reader.ReadAsync(keepBody: true, default);
        Assert.Equal((201, "hello, world"), (second.Status, Encoding.ASCII.GetString(second.Body!)));
        var third = await reader.ReadAsync(keepBody: false, default);
        Assert.Equal(204, third.Status);
        Assert.Null(third.Body);
        var fourth = await reader.ReadAsync(keepBody: true, default);
        Assert.Equal((400, "wrong", true), (fourth.Status, Encoding.ASCII.GetString(fourth.Body!), fourth.Close));
    }

    [Fact]
    public async Task A_body_without_a_length_runs_to_the_end_of_the_connection()
    {
        var response = await Reader("HTTP/1.1 200 OK\r\n\r\nuntil the end").ReadAsync(keepBody: true, default);
        Assert.Equal("until the end", Encoding.ASCII.GetString(response.Body!));
        Assert.True(response.Close);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")]
    [InlineData("garbage\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-")]
    public async Task A_cut_or_malformed_response_is_an_IOException(string wire)
    {
        await Assert.ThrowsAsync<IOException>(() => Reader(wire).ReadAsync(keepBody: true, default));
    }

    [Fact]
    public async Task A_header_block_larger_than_the_buffer_is_read_whole()
    {
        var big = new string('x', 100_000);
        var response = await Reader($"HTTP/1.1 200 OK\r\nX-Big: {big}\r\nContent-Length: 3\r\n\r\nend", 8192).ReadAsync(keepBody: true, default);
        Assert.Equal("end", Encoding.ASCII.GetString(response.Body!));
    }

    // ResponseHead.Measure: the open loop's event loops ask it whether a whole response is in the buffer yet.

    const string BackToBack =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok" +
        "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n" +
        "HTTP/1.1 204 No Content\r\n\r\n" +
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\nConnection: close\r\n\r\nwrong";

    [Fact]
    public void Measure_finds_where_each_response_ends_and_asks_for_more_at_every_shorter_prefix()
    {
        var wire = Encoding.ASCII.GetBytes(BackToBack);
        var seen = new List<(int, bool, string)>();
        var at = 0;
        while (at < wire.Length)
        {
            var rest = wire.AsSpan(at);
            var length = ResponseHead.Measure(rest, eof: false, out var status, out var close);
            Assert.True(length > 0, $"response at {at} not found whole");
            for (var cut = 0; cut < length; cut++)
                Assert.Equal(-1, ResponseHead.Measure(rest[..cut], eof: false, out _, out _));
            seen.Add((status, close, Encoding.ASCII.GetString(rest[..length])[^5..]));
            at += length;
        }
        Assert.Equal([(200, false, "\n\r\nok"), (201, false, "1\r\n\r\n"), (204, false, "t\r\n\r\n"), (400, true, "wrong")], seen);
    }

    [Fact]
    public void Measure_ends_a_body_without_a_length_only_with_the_connection()
    {
        var wire = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n\r\nuntil the end");
        Assert.Equal(-1, ResponseHead.Measure(wire, eof: false, out _, out _));
        Assert.Equal(wire.Length, ResponseHead.Measure(wire, eof: true, out var status, out var close));
        Assert.Equal((200, true), (status, close));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-", true)]
    [InlineData("garbage\r\n\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXY0\r\n\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false)]
    public void Measure_calls_a_cut_or_malformed_response_an_IOException(string wire, bool cutOnlyAtEof)
    {
        var bytes = Encoding.ASCII.GetBytes(wire);
        if (cutOnlyAtEof) Assert.Equal(-1, ResponseHead.Measure(bytes, eof: false, out _, out _));
        Assert.Throws<IOException>(() => ResponseHead.Measure(bytes, eof: true, out _, out _));
    }
}
