using Chorus.Server.Features.Groups;
using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// The node's delivery loop: woken by <see cref="EventSignal"/> (a local commit, or NOTIFY from another node) and
/// at least twice a second, it numbers committed events (<see cref="EventSequencer"/>), reads the ones past the last
/// it dispatched, and hands them to the <see cref="StreamHub"/>. Control events adjust subscriptions (follows) or
/// close streams (revocation, deactivation).
/// </summary>
public sealed class EventDispatcher(IServiceScopeFactory scopes, StreamHub hub, EventSignal signal, ChangeObservers observers, WrittenPosts written, ILogger<EventDispatcher> log) : BackgroundService
{
    public const int Batch = 500;
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    /// <summary>
    /// Rounds start at least this far apart. A round costs about the same for one event as for a hundred (a scope,
    /// the events, posts and topics read back, the notifications built), and a commit signals a round: under a
    /// steady stream of posts, rounds back to back took an eighth of the server's CPU (W1 in bench/findings.md).
    /// </summary>
    public static readonly TimeSpan MinRound = TimeSpan.FromMilliseconds(10);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
                    hub.DispatchedSeq = await db.Events.MaxAsync(e => e.Seq, stop) ?? 0;
                }
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Event dispatcher could not read the stream head; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
        }
        var lastRound = 0L;
        var lastSequenced = 0L;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(Poll, stop);
                if (System.Diagnostics.Stopwatch.GetElapsedTime(lastRound) is var since && since < MinRound) await Task.Delay(MinRound - since, stop);
                lastRound = System.Diagnostics.Stopwatch.GetTimestamp();
                // The sequencer runs when something may have left events unnumbered, and at least every poll interval
                // (another node's events whose own node stopped before numbering them).
                var sequence = signal.TakeUnnumbered() || System.Diagnostics.Stopwatch.GetElapsedTime(lastSequenced) >= Poll;
                if (sequence) lastSequenced = lastRound;
                await PumpAsync(sequence, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                log.LogError(e, "Event dispatch failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// One round: number what is waiting (unless <paramref name="sequence"/> is false: nothing that woke the round can
    /// have left events unnumbered), then dispatch everything numbered past the last dispatched position.
    /// </summary>
    async Task PumpAsync(bool sequence, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        if (sequence)
        {
            var sequencer = sp.GetRequiredService<EventSequencer>();
            while (await sequencer.SequenceAsync(Batch, ct) == Batch) { }
        }

        var db = sp.GetRequiredService<ChorusDb>();
        var builder = sp.GetRequiredService<StreamEventBuilder>();
        var routes = sp.GetRequiredService<StreamRoutes>();
        while (true)
        {
            var after = hub.DispatchedSeq;
            var batch = await EventsAfterAsync(db, after, ct);
            if (batch.Count == 0) return;
            var behind = DateTime.UtcNow - batch[0].CreatedAt;
            if (behind > TimeSpan.FromSeconds(2))
                log.LogWarning("Event delivery is {Seconds:F1} s behind (event {Seq}, {Count} in the batch)", behind.TotalSeconds, batch[0].Seq, batch.Count);
            // Streams that attach from here on replay this batch themselves, so notifications need building only for
            // the people with a stream open now.
            hub.BeginBatch(batch[^1].Seq!.Value);
            foreach (var e in await builder.BuildAsync(batch, ct, hub.HasConnections, observers.Apply, hub.Listens, written))
            {
                await ApplyControlAsync(e, routes, ct);
                hub.Dispatch(e);
            }
            hub.DispatchedSeq = Math.Max(hub.DispatchedSeq, batch[^1].Seq!.Value);
            written.ForgetUpTo(hub.DispatchedSeq);
            db.ChangeTracker.Clear();
            if (batch.Count < Batch) return;
        }
    }

    /// <summary>
    /// The next batch of numbered events. A compiled query: every round runs it, and translating the LINQ expression
    /// each time (parameter extraction, the query cache's lookup) cost about as much as running it. EF Core refuses a
    /// compiled query on another model than the first it ran on, so there is one per model (one in a server; the tests
    /// run servers of both providers in one process).
    /// </summary>
    static async Task<List<ChangeEvent>> EventsAfterAsync(ChorusDb db, long after, CancellationToken ct)
    {
        var query = EventsAfter.GetValue(db.Model, static _ =>
            EF.CompileAsyncQuery((ChorusDb db, long after) => db.Events.AsNoTracking().Where(e => e.Seq > after).OrderBy(e => e.Seq).Take(Batch)));
        return await query(db, after).ToListAsync(ct);
    }

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel, Func<ChorusDb, long, IAsyncEnumerable<ChangeEvent>>> EventsAfter = [];

    /// <summary>Control events after which a person's open streams listen on other keys (<see cref="ApplyControlAsync"/>).</summary>
    public static bool Resubscribes(string kind) => kind is "group.membership" || FollowsChanged(kind);

    static bool FollowsChanged(string kind) => kind is "follow.created" or "follow.removed" or "topic.followed" or "topic.unfollowed";

    async Task ApplyControlAsync(StreamEvent e, StreamRoutes routes, CancellationToken ct)
    {
        switch (e.Kind)
        {
            case "credential.revoked" when long.TryParse(e.Data, out var credentialId):
                hub.CloseCredential(credentialId, "The credential was revoked.");
                break;
            case "person.deactivated" when e.OnlyPersonId is { } person:
                hub.ClosePerson(person, "The account was deactivated.");
                break;
            case "group.membership" when e.OnlyPersonId is { } person:
                var connections = hub.ConnectionsOf(person).ToList();
                if (connections.Count == 0) break;
                // The person's open streams read with their groups as they are now: a removed member stops seeing the
                // group's posts at once, a new one starts; the home feed's group keys follow the same change.
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var groups = await GroupAccess.MemberGroupsAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), person, ct);
                    foreach (var c in connections) c.Viewer = c.Viewer with { Groups = groups };
                }
                foreach (var c in connections.Where(c => c.HasStream("user")))
                    hub.Resubscribe(c, "user", await routes.UserKeysAsync(person, ct));
                break;
            case var kind when FollowsChanged(kind) && e.OnlyPersonId is { } person:
                foreach (var c in hub.ConnectionsOf(person).Where(c => c.HasStream("user")))
                {
                    // Re-derive the whole "user" key set: cheap (two indexed queries) and always exactly right.
                    var keys = await routes.UserKeysAsync(person, ct);
                    hub.Resubscribe(c, "user", keys);
                }
                break;
        }
    }
}
