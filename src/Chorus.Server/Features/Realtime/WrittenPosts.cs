using System.Collections.Concurrent;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// The new posts this node's <see cref="Posts.PostWriter"/> has committed, with their topics, kept by their events'
/// stream positions until this node's <see cref="EventDispatcher"/> routes those events: the dispatcher then takes a
/// post from here instead of reading it (and its topics) back from the database. Under sustained posting, reading back
/// every round's posts was about a tenth of the server's CPU per post (bench/findings.md, tenth session).
/// </summary>
/// <remarks>
/// Only post.created and share.created events numbered by the writer itself (ADR 014) come here, with the very
/// entities the writer inserted, which nothing changes after the commit. The database stays the source: other nodes'
/// posts, any post with a second event in the same batch, and anything missing here are read as before. An entry the
/// dispatcher never asks for (its events were dispatched before the writer handed it over, or before the dispatcher
/// started) is dropped once the dispatcher is past its position.
/// </remarks>
public sealed class WrittenPosts
{
    /// <summary>Above this many entries, those the dispatcher is already past are dropped.</summary>
    const int Prune = 4 * EventDispatcher.Batch;

    readonly ConcurrentDictionary<long, CommittedChange> _bySeq = new();

    /// <summary>Kinds whose post is the new row itself.</summary>
    public static bool Holds(string kind) => kind is "post.created" or "share.created";

    public int Count => _bySeq.Count;

    /// <summary>After the writer's commit: keeps the new posts among <paramref name="changes"/>.</summary>
    public void Add(IReadOnlyList<CommittedChange>? changes)
    {
        if (changes is null) return;
        foreach (var c in changes)
            if (c.Event.Seq is { } seq && c.Post is { } post && c.Event.PostId == post.Id && Holds(c.Kind))
                _bySeq[seq] = c;
    }

    /// <summary>The post and topics written with the event <paramref name="e"/> (same id, position and post), taken out.</summary>
    public bool TryTake(Data.ChangeEvent e, out CommittedChange change)
    {
        if (e.Seq is { } seq && _bySeq.TryRemove(seq, out change!))
            return change.Event.Id == e.Id && change.Event.PostId == e.PostId && change.Kind == e.Kind;
        change = null!;
        return false;
    }

    /// <summary>Drops entries at or before <paramref name="dispatched"/> once there are many: nobody will ask for them.</summary>
    public void ForgetUpTo(long dispatched)
    {
        if (_bySeq.Count <= Prune) return;
        foreach (var seq in _bySeq.Keys)
            if (seq <= dispatched) _bySeq.TryRemove(seq, out _);
    }
}
