using System.Collections.Concurrent;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Realtime;

/// <summary>An event ready to route: its keys, the post it is about (for the visibility rule), and its wire forms.</summary>
public sealed record StreamEvent(long Seq, string Kind, IReadOnlyList<StreamKey> Keys, Post? Post, long? AuthorId, string Data, string? AuthorData, long? OnlyPersonId);

/// <summary>
/// This node's open streams, indexed by routing key and by person. Delivery looks up the event's keys only, then
/// applies the one visibility rule (<see cref="PostVisibility"/>) per connection.
/// </summary>
public sealed class StreamHub
{
    readonly ChorusSettings _settings;

    public StreamHub(ChorusSettings settings, IHostApplicationLifetime lifetime)
    {
        _settings = settings;
        // Shutdown ends every stream (so clients reconnect to another node at once) through one registration here,
        // not one per stream.
        lifetime.ApplicationStopping.Register(EndAll);
    }

    readonly ConcurrentDictionary<StreamKey, ConcurrentDictionary<StreamConnection, byte>> _byKey = new();
    readonly ConcurrentDictionary<long, ConcurrentDictionary<StreamConnection, byte>> _byPerson = new();
    readonly Lock _indexGate = new();
    int _opened;
    // Held while one event is delivered and the dispatched position moves, and while a new stream attaches: so an
    // attaching stream either gets an event live or finds it at or below the position it replays up to.
    readonly Lock _dispatchGate = new();

    static readonly HashSet<string> Deliverable =
        ["post.created", "post.updated", "post.deleted", "share.created", "reaction.changed", "notification", "notification.read", "group.membership", "group.member"];

    /// <summary>The newest stream position this node has dispatched.</summary>
    public long DispatchedSeq { get; internal set; }

    // The last position of the batch the dispatcher is building: a stream attaching while it is built replays up to
    // here from the database instead of receiving the batch live (its notifications may not have been built for it).
    long _batchSeq;

    public int ConnectionCount => _byPerson.Values.Sum(c => c.Count);

    public Outcome<StreamConnection> Open(Viewer viewer)
    {
        var mine = _byPerson.GetOrAdd(viewer.Id, _ => new());
        if (mine.Count >= _settings.Streaming.MaxConnectionsPerPerson)
            return new Problem(429, "too-many-streams", "Too many open streams.",
                $"You have {mine.Count} open streams; the limit is {_settings.Streaming.MaxConnectionsPerPerson}. Close one first.");
        var connection = new StreamConnection(viewer, _settings.Streaming.OutboxCapacity, Interlocked.Increment(ref _opened) & int.MaxValue);
        mine[connection] = 0;
        return connection;
    }

    /// <summary>Ends every stream on the node (the server is stopping): clients reconnect to another node.</summary>
    public void EndAll()
    {
        foreach (var mine in _byPerson.Values)
            foreach (var c in mine.Keys) c.End();
    }

    public void Release(StreamConnection connection)
    {
        connection.Close(connection.CloseReason ?? "closed");
        lock (_indexGate)
            foreach (var key in connection.Keys) Unindex(key, connection);
        if (_byPerson.TryGetValue(connection.Viewer.Id, out var mine)) mine.TryRemove(connection, out _);
    }

    public void Subscribe(StreamConnection connection, string stream, IEnumerable<StreamKey> keys)
    {
        lock (_indexGate)
            foreach (var key in connection.Add(stream, keys)) _byKey.GetOrAdd(key, _ => new())[connection] = 0;
    }

    public void Unsubscribe(StreamConnection connection, string stream, IEnumerable<StreamKey>? keys = null)
    {
        lock (_indexGate)
            foreach (var key in connection.Remove(stream, keys)) Unindex(key, connection);
    }

    void Unindex(StreamKey key, StreamConnection connection)
    {
        if (_byKey.TryGetValue(key, out var set) && set.TryRemove(connection, out _) && set.IsEmpty)
            _byKey.TryRemove(new KeyValuePair<StreamKey, ConcurrentDictionary<StreamConnection, byte>>(key, set));
    }

    public IEnumerable<StreamConnection> ConnectionsOf(long personId) =>
        _byPerson.TryGetValue(personId, out var mine) ? mine.Keys : [];

    /// <summary>Subscribes a connection's streams and returns the position up to which it must replay from the database.</summary>
    public long Attach(StreamConnection connection, IReadOnlyDictionary<string, List<StreamKey>> streams)
    {
        lock (_dispatchGate)
        {
            foreach (var (name, keys) in streams) Subscribe(connection, name, keys);
            return Math.Max(DispatchedSeq, _batchSeq);
        }
    }

    /// <summary>The dispatcher read events up to <paramref name="lastSeq"/> and starts building them for the streams open now.</summary>
    public void BeginBatch(long lastSeq)
    {
        lock (_dispatchGate) _batchSeq = Math.Max(_batchSeq, lastSeq);
    }

    /// <summary>Whether a stream open on this node listens on any of the keys.</summary>
    public bool Listens(IReadOnlyList<StreamKey> keys)
    {
        foreach (var key in keys)
            if (_byKey.TryGetValue(key, out var set) && !set.IsEmpty) return true;
        return false;
    }

    /// <summary>Whether the person has a stream open on this node.</summary>
    public bool HasConnections(long personId) => _byPerson.TryGetValue(personId, out var mine) && !mine.IsEmpty;

    /// <summary>Delivers one event and records it as dispatched.</summary>
    public void Dispatch(StreamEvent e)
    {
        lock (_dispatchGate)
        {
            if (Deliverable.Contains(e.Kind)) Deliver(e);
            if (e.Seq > DispatchedSeq) DispatchedSeq = e.Seq;
        }
    }

    /// <summary>Replaces a stream's keys with a freshly computed set (after a follow change).</summary>
    public void Resubscribe(StreamConnection connection, string stream, IReadOnlyCollection<StreamKey> keys)
    {
        lock (_indexGate)
        {
            var current = connection.KeysOf(stream);
            foreach (var key in connection.Remove(stream, current.Except(keys).ToList())) Unindex(key, connection);
            foreach (var key in connection.Add(stream, keys)) _byKey.GetOrAdd(key, _ => new())[connection] = 0;
        }
    }

    public static bool IsDeliverable(string kind) => Deliverable.Contains(kind);

    /// <summary>Routes one event to the connections listening on its keys that may see it.</summary>
    void Deliver(StreamEvent e)
    {
        // One shared message per payload variant (the author's copy says canEdit), encoded at most once.
        StreamMessage? forOthers = null, forAuthor = null;
        StreamMessage MessageFor(StreamConnection c) =>
            c.Viewer.Id == e.AuthorId && e.AuthorData is not null
                ? forAuthor ??= new StreamMessage(e.Seq, e.Kind, e.AuthorData)
                : forOthers ??= new StreamMessage(e.Seq, e.Kind, e.Data);

        ConcurrentDictionary<StreamConnection, byte>? only = null;
        List<ConcurrentDictionary<StreamConnection, byte>>? several = null;
        foreach (var key in e.Keys)
        {
            if (!_byKey.TryGetValue(key, out var set)) continue;
            if (only is null) only = set;
            else (several ??= [only]).Add(set);
        }
        if (only is null) return;
        if (several is null)
        {
            // The common case (one matching key, e.g. company): no de-duplication set needed.
            foreach (var c in only.Keys) if (Allowed(c, e)) c.Enqueue(MessageFor(c));
            return;
        }
        var seen = new HashSet<StreamConnection>();
        foreach (var set in several)
            foreach (var c in set.Keys)
                if (seen.Add(c) && Allowed(c, e)) c.Enqueue(MessageFor(c));
    }

    /// <summary>
    /// Queues a heartbeat on the idle connections of one slice of this node's connections (every connection is in
    /// slice <c>Slot % slices</c>); <see cref="StreamHeartbeat"/> walks the slices so each connection is pinged once
    /// per heartbeat interval.
    /// </summary>
    public void Heartbeat(int slice, int slices)
    {
        foreach (var mine in _byPerson.Values)
            foreach (var c in mine.Keys)
                if (c.Slot % slices == slice) c.Enqueue(StreamMessage.Heartbeat);
    }

    /// <summary>Whether an event goes to a connection: it listens to one of the event's keys and may see what it is about.</summary>
    public static bool Allowed(StreamConnection c, StreamEvent e)
    {
        if (e.OnlyPersonId is { } only && only != c.Viewer.Id) return false;
        if (e.Post is not null && !c.Viewer.CanSee(e.Post)) return false;
        return true;
    }

    public void CloseCredential(long credentialId, string reason)
    {
        foreach (var mine in _byPerson.Values)
            foreach (var c in mine.Keys.Where(c => c.Viewer.CredentialId == credentialId)) c.Close(reason);
    }

    public void ClosePerson(long personId, string reason)
    {
        foreach (var c in ConnectionsOf(personId)) c.Close(reason);
    }
}
