using System.Threading.Channels;
using Chorus.Server.Features.Auth;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// A message ready for the wire: an event with its stream position. The SSE frame is encoded once and shared by
/// every connection that receives the message (encoding per connection cost ~45 MB of garbage per post at 10k
/// streams — docs/benchmarks.md).
/// </summary>
public sealed class StreamMessage(long seq, string @event, string data)
{
    byte[]? _frame;

    public long Seq { get; } = seq;
    public string Event { get; } = @event;
    public string Data { get; } = data;

    public byte[] SseFrame => _frame ??= System.Text.Encoding.UTF8.GetBytes($"id: {Seq}\nevent: {Event}\ndata: {Data}\n\n");

    /// <summary>A keep-alive: an SSE comment, ignored by WebSocket connections (which ping at the protocol level).</summary>
    public static readonly StreamMessage Heartbeat = new(0, "", "") { _frame = ": ping\n\n"u8.ToArray() };

    public bool IsHeartbeat => ReferenceEquals(this, Heartbeat);
}

/// <summary>
/// One open stream (an SSE response or a WebSocket) of one viewer. The hub writes into its bounded outbox; the
/// transport drains it. A client too slow to keep up is closed rather than silently skipped, so that its resume from
/// the last event id fills the gap exactly.
/// </summary>
public sealed class StreamConnection(Viewer viewer, int outboxCapacity, int slot = 0)
{
    readonly Channel<StreamMessage> _outbox = Channel.CreateBounded<StreamMessage>(
        new BoundedChannelOptions(outboxCapacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
    readonly CancellationTokenSource _closed = new();
    readonly Lock _gate = new();
    // Each stream a client asked for has its own key set ("user" changes as the viewer follows and unfollows); the
    // hub indexes a key while at least one stream needs it. A short list, not a dictionary, and no per-key counts:
    // a connection has a few streams (Streaming:MaxStreamsPerConnection), and whatever it holds is held for as long
    // as it stays open, so the smaller shape wins (docs/benchmarks.md, memory per idle stream).
    readonly List<(string Name, HashSet<StreamKey> Keys)> _streams = new(1);

    /// <summary>Who reads this stream; replaced (not mutated) when the person's group memberships change.</summary>
    public Viewer Viewer { get => Volatile.Read(ref _viewer); set => Volatile.Write(ref _viewer, value); }
    Viewer _viewer = viewer;
    /// <summary>Which heartbeat slice the connection is in (connections are numbered as they open).</summary>
    public int Slot { get; } = slot;
    public CancellationToken Closed => _closed.Token;
    public string? CloseReason { get; private set; }
    /// <summary>The newest stream position written to the client; later messages at or below it are duplicates.</summary>
    public long LastSentSeq { get; set; }

    public ChannelReader<StreamMessage> Outbox => _outbox.Reader;

    public IReadOnlyCollection<string> Streams { get { lock (_gate) return _streams.ConvertAll(x => x.Name); } }

    public int StreamCount { get { lock (_gate) return _streams.Count; } }

    public bool HasStream(string name) { lock (_gate) return Find(name) is not null; }

    public bool Listens(IReadOnlyList<StreamKey> keys)
    {
        lock (_gate)
            foreach (var k in keys) if (Needs(k, except: null)) return true;
        return false;
    }

    internal IReadOnlyList<StreamKey> Keys { get { lock (_gate) return _streams.SelectMany(x => x.Keys).Distinct().ToList(); } }

    internal IReadOnlyList<StreamKey> KeysOf(string stream) { lock (_gate) return Find(stream)?.ToList() ?? []; }

    HashSet<StreamKey>? Find(string stream)
    {
        foreach (var (name, keys) in _streams) if (string.Equals(name, stream, StringComparison.Ordinal)) return keys;
        return null;
    }

    /// <summary>The common stream names as one shared string each, not a copy per connection parsed from its query.</summary>
    static string Shared(string stream) => stream switch { "user" => "user", "company" => "company", _ => stream };

    /// <summary>Whether a stream other than <paramref name="except"/> needs the key.</summary>
    bool Needs(StreamKey key, HashSet<StreamKey>? except)
    {
        foreach (var (_, keys) in _streams) if (!ReferenceEquals(keys, except) && keys.Contains(key)) return true;
        return false;
    }

    /// <summary>Adds keys to a stream (creating it); returns the keys that are new to the connection.</summary>
    internal List<StreamKey> Add(string stream, IEnumerable<StreamKey> keys)
    {
        var fresh = new List<StreamKey>();
        lock (_gate)
        {
            var set = Find(stream);
            if (set is null) _streams.Add((Shared(stream), set = []));
            foreach (var k in keys)
                if (set.Add(k) && !Needs(k, except: set)) fresh.Add(k);
        }
        return fresh;
    }

    /// <summary>Removes keys from a stream (all of them, and the stream, when <paramref name="keys"/> is null); returns keys no stream needs any more.</summary>
    internal List<StreamKey> Remove(string stream, IEnumerable<StreamKey>? keys)
    {
        var gone = new List<StreamKey>();
        lock (_gate)
        {
            var set = Find(stream);
            if (set is null) return gone;
            foreach (var k in (keys ?? set).ToList())
                if (set.Remove(k) && !Needs(k, except: set)) gone.Add(k);
            if (keys is null) _streams.RemoveAll(x => ReferenceEquals(x.Keys, set));
        }
        return gone;
    }

    /// <summary>Queues a message; closes the connection when the client has fallen too far behind.</summary>
    internal void Enqueue(StreamMessage message)
    {
        // A client that has not drained its queue needs no heartbeat; a full queue must not close it for one.
        if (message.IsHeartbeat) { if (_outbox.Reader.Count == 0) _outbox.Writer.TryWrite(message); return; }
        if (!_outbox.Writer.TryWrite(message)) Close("The client is not reading fast enough; reconnect with Last-Event-ID to resume.");
    }

    /// <summary>Ends the connection without a reason for the client (it went away, or the server is stopping).</summary>
    internal void End()
    {
        _outbox.Writer.TryComplete();
        _closed.Cancel();
    }

    public void Close(string reason)
    {
        lock (_gate)
        {
            if (_closed.IsCancellationRequested) return;
            CloseReason = reason;
        }
        _outbox.Writer.TryComplete();
        _closed.Cancel();
    }
}
