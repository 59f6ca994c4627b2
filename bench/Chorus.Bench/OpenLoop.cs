using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Chorus.Bench;

/// <summary>One request of a load (the open loop's are sent as they fall due); a success when answered with <paramref name="Expected"/>.</summary>
public sealed record LoadRequest(string Method, string Path, string? Bearer, byte[]? Json, HttpStatusCode Expected, string Series)
{
    public static LoadRequest Get(string path, string? bearer, string series) => new("GET", path, bearer, null, HttpStatusCode.OK, series);

    public static LoadRequest PostJson(string path, string? bearer, string json, HttpStatusCode expected, string series) =>
        new("POST", path, bearer, Encoding.UTF8.GetBytes(json), expected, series);
}

/// <summary>
/// One event loop of the open loop, on a thread of its own, as wrk2 does it: it owns some keep-alive connections
/// (non-blocking sockets in an epoll set of its own), sends each request of its share of the schedule as it falls due
/// on a connection that is free, and reads the answers as they arrive. It sleeps in <c>epoll_wait</c> until the next
/// request is due or an answer arrives, so a wake-up sends every request due by then and reads every answer ready: the
/// cost per request is a send, a receive and a share of one wake-up, with no task, thread-pool item or thread switch.
/// The two load generators before it cost the shared cores more: a thread-pool item per request cost 2–4× the closed
/// loop's CPU per request, and a thread per connection made 256 threads compete with the server, so that a backlog at
/// the targets' rates never drained (bench/findings.md, nineteenth and twentieth sessions).
/// <para>A request due while every connection is busy waits in this loop's queue for the first to come free, and its
/// latency runs from when it was due (no coordinated omission). Another connection opens when a due request finds none
/// free, up to the loop's share of the row's limit. The epoll timeout is in whole milliseconds, so a request goes out
/// up to ~1 ms after it was due, counted in its latency, and requests go out in small bursts, which cost the server
/// less per request than evenly spaced ones (bench/findings.md, nineteenth session).</para>
/// </summary>
public sealed class OpenLoopWorker : IDisposable
{
    /// <summary>Event loops per open loop: two, so that one preempted by the server on the two shared cores does not
    /// hold every request back.</summary>
    public const int DefaultThreads = 2;

    /// <summary>After the last request is due, how long the loop waits for the answers still outstanding; those that
    /// do not come count as errors.</summary>
    static readonly TimeSpan Drain = TimeSpan.FromSeconds(30);

    sealed class Connection(int index)
    {
        public readonly int Index = index;
        public Socket? Socket;
        public byte[] Out = new byte[1024];
        public int OutLength, OutSent;
        /// <summary>Registered for "writable": a request did not fit in the socket's buffer at once.</summary>
        public bool WantsOut;
        public byte[] In = new byte[32 * 1024];
        public int InLength;
        public bool Busy;
        public long Due;
        public string Series = "";
        public HttpStatusCode Expected;
    }

    readonly EndPoint _endpoint;
    readonly byte[] _hostLine;
    readonly int _limit;
    readonly List<Connection> _connections = [];
    readonly Stack<Connection> _free = new();
    readonly Queue<long> _waiting = new();
    readonly int _epoll;
    int _busy;
    Func<LoadRequest> _next = null!;

    internal readonly LoadRecorder Recorder;

    /// <summary>Connections this loop opened (a connection the server closed and that was opened again counts once).</summary>
    public int Opened => _connections.Count;

    internal OpenLoopWorker(EndPoint endpoint, Uri baseAddress, LoadState state, int limit)
    {
        _endpoint = endpoint;
        _hostLine = HttpRequestBytes.HostLine(baseAddress);
        _limit = limit;
        Recorder = new LoadRecorder(state);
        _epoll = Epoll.Create();
    }

    /// <summary>Runs <paramref name="loop"/> on a thread of its own; the task ends with it, or with its exception.</summary>
    public static Task Start(string name, Action loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try { loop(); done.SetResult(); }
            // A failure surfaces in the awaiting run instead of ending the process from a thread of its own.
            catch (Exception e) { done.SetException(e); }
        }) { IsBackground = true, Name = name }.Start();
        return done.Task;
    }

    /// <summary>
    /// Sends requests <paramref name="offset"/>, <paramref name="offset"/> + <paramref name="stride"/>, … of the
    /// schedule in which request k is due at <paramref name="first"/> + k / <paramref name="rate"/> s, up to
    /// <paramref name="end"/> (<see cref="Stopwatch"/> timestamps), then waits for the answers outstanding.
    /// </summary>
    public void Run(long first, int offset, int stride, double rate, long end, Func<LoadRequest> next)
    {
        _next = next;
        var interval = Stopwatch.Frequency / rate;
        var events = new byte[64 * Epoll.EventSize];
        long k = offset;
        var drainUntil = long.MaxValue;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var due = first + (long)(k * interval);
            for (; due <= now && due < end; k += stride, due = first + (long)(k * interval)) _waiting.Enqueue(due);
            // Oldest first; a send that fails frees its connection again at once, so this also ends when the server is gone.
            while (_waiting.Count > 0 && TakeFree() is { } c) Send(c, _waiting.Dequeue());
            if (due >= end)
            {
                if (_busy == 0 && _waiting.Count == 0) break;
                if (drainUntil == long.MaxValue) drainUntil = now + (long)(Drain.TotalSeconds * Stopwatch.Frequency);
                if (now >= drainUntil) { Abandon(now); break; }
            }
            var timeout = due >= end ? 10 : (int)Math.Ceiling((due - now) * 1000.0 / Stopwatch.Frequency);
            var n = Epoll.Wait(_epoll, events, timeout);
            for (var i = 0; i < n; i++)
            {
                var (flags, index) = Epoll.EventAt(events, i);
                var connection = _connections[index];
                if ((flags & Epoll.Out) != 0) Flush(connection);
                if ((flags & (Epoll.In | Epoll.Err | Epoll.Hup)) != 0) Receive(connection);
            }
        }
    }

    /// <summary>A free connection, or a new one while under the limit; null when all are busy.</summary>
    Connection? TakeFree()
    {
        if (_free.TryPop(out var c)) return c;
        if (_connections.Count >= _limit) return null;
        c = new Connection(_connections.Count);
        _connections.Add(c);
        return c;
    }

    void Send(Connection c, long due)
    {
        var request = _next();
        c.Busy = true;
        _busy++;
        c.Due = due;
        c.Series = request.Series;
        c.Expected = request.Expected;
        try
        {
            if (c.Socket is null) Connect(c);
            c.OutLength = HttpRequestBytes.Write(ref c.Out, _hostLine, request.Method, request.Path, request.Bearer, request.Json);
            c.OutSent = 0;
            Flush(c);
        }
        catch (SocketException) { Fail(c); }
    }

    void Connect(Connection c)
    {
        var socket = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(_endpoint); // loopback: well under a millisecond, once per connection
            socket.Blocking = false;
            Epoll.Control(_epoll, Epoll.Add, (int)socket.Handle, Epoll.In, c.Index);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        c.Socket = socket;
        c.InLength = 0;
    }

    /// <summary>Sends what is left of the request; when the socket's buffer is full, waits to be told it can take more.</summary>
    void Flush(Connection c)
    {
        if (c.Socket is null || c.OutSent == c.OutLength) return;
        var sent = c.Socket.Send(c.Out.AsSpan(c.OutSent, c.OutLength - c.OutSent), SocketFlags.None, out var error);
        if (error is not (SocketError.Success or SocketError.WouldBlock)) { Fail(c); return; }
        c.OutSent += sent;
        var wantsOut = c.OutSent < c.OutLength;
        if (wantsOut == c.WantsOut) return;
        try { Epoll.Control(_epoll, Epoll.Modify, (int)c.Socket.Handle, wantsOut ? Epoll.In | Epoll.Out : Epoll.In, c.Index); }
        catch (SocketException) { Fail(c); return; }
        c.WantsOut = wantsOut;
    }

    void Receive(Connection c)
    {
        if (c.Socket is null) return;
        while (true)
        {
            if (c.InLength == c.In.Length) Array.Resize(ref c.In, c.In.Length * 2);
            var space = c.In.Length - c.InLength;
            var read = c.Socket.Receive(c.In.AsSpan(c.InLength), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return;
            if (error != SocketError.Success) { Fail(c); return; }
            c.InLength += read;
            var eof = read == 0;
            if (!c.Busy)
            {
                // Nothing was asked: the server closed an idle keep-alive connection (or sent what it should not). It
                // stays free and opens again for its next request.
                Close(c);
                return;
            }
            int length;
            int status;
            bool close;
            try { length = ResponseHead.Measure(c.In.AsSpan(0, c.InLength), eof, out status, out close); }
            catch (IOException) { Fail(c); return; }
            if (length >= 0)
            {
                Complete(c, status == (int)c.Expected, close || eof, length);
                return;
            }
            if (eof) { Fail(c); return; }
            // A read that did not fill the buffer took everything there was: no need for a call that says so.
            if (read < space) return;
        }
    }

    void Complete(Connection c, bool ok, bool close, int length)
    {
        Recorder.Record(c.Due, Stopwatch.GetTimestamp(), ok, c.Series);
        c.Busy = false;
        _busy--;
        if (close || c.InLength > length) Close(c); // an answer nobody asked for: the connection is not in step any more
        c.InLength = 0;
        _free.Push(c);
    }

    /// <summary>The request on <paramref name="c"/> failed: it counts as an error, and the connection opens again for the next.</summary>
    void Fail(Connection c)
    {
        Close(c);
        if (!c.Busy) return;
        Complete(c, ok: false, close: false, length: 0);
    }

    void Close(Connection c)
    {
        // Closing the socket takes it out of the epoll set.
        c.Socket?.Dispose();
        c.Socket = null;
        c.InLength = 0;
        c.OutLength = c.OutSent = 0;
        c.WantsOut = false;
    }

    /// <summary>The drain ran out: what is still outstanding counts as errors.</summary>
    void Abandon(long now)
    {
        foreach (var c in _connections.Where(c => c.Busy))
        {
            Recorder.Record(c.Due, now, ok: false, c.Series);
            Close(c);
        }
        while (_waiting.TryDequeue(out var due)) Recorder.Record(due, now, ok: false, "");
        _busy = 0;
    }

    public void Dispose()
    {
        foreach (var c in _connections) Close(c);
        Epoll.Close(_epoll);
    }

    /// <summary>Linux's epoll, called directly: .NET's own sockets use it too, but hand each completion to the thread pool.</summary>
    static class Epoll
    {
        public const uint In = 0x001, Out = 0x004, Err = 0x008, Hup = 0x010;
        public const int Add = 1, Modify = 3;
        const int CloseOnExec = 0x80000, Interrupted = 4;

        /// <summary><c>struct epoll_event</c>: a 32-bit mask and 64 bits of data, packed (12 bytes) on x86-64 only.</summary>
        public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
        static readonly int DataOffset = EventSize == 12 ? 4 : 8;

        [DllImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
        static extern int Create1(int flags);

        [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
        static extern int Ctl(int epfd, int op, int fd, byte[] ev);

        [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
        static extern int WaitCall(int epfd, byte[] events, int maxEvents, int timeout);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        static extern int CloseCall(int fd);

        public static int Create()
        {
            if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("the open loop uses Linux's epoll");
            var fd = Create1(CloseOnExec);
            return fd >= 0 ? fd : throw new SocketException(Marshal.GetLastPInvokeError());
        }

        public static void Control(int epoll, int op, int fd, uint flags, int index)
        {
            var ev = new byte[EventSize];
            BinaryPrimitives.WriteUInt32LittleEndian(ev, flags);
            BinaryPrimitives.WriteInt64LittleEndian(ev.AsSpan(DataOffset), index);
            if (Ctl(epoll, op, fd, ev) != 0) throw new SocketException(Marshal.GetLastPInvokeError());
        }

        /// <summary>Waits up to <paramref name="timeoutMs"/> for events; 0 when interrupted by a signal.</summary>
        public static int Wait(int epoll, byte[] events, int timeoutMs)
        {
            var n = WaitCall(epoll, events, events.Length / EventSize, timeoutMs);
            if (n >= 0) return n;
            var errno = Marshal.GetLastPInvokeError();
            return errno == Interrupted ? 0 : throw new SocketException(errno);
        }

        public static (uint Flags, int Index) EventAt(byte[] events, int i) =>
            (BinaryPrimitives.ReadUInt32LittleEndian(events.AsSpan(i * EventSize)),
             (int)BinaryPrimitives.ReadInt64LittleEndian(events.AsSpan(i * EventSize + DataOffset)));

        public static void Close(int epoll) => CloseCall(epoll);
    }
}
