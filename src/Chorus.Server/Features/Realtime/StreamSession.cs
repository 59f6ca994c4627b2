using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// What both transports share: opening a viewer's connection with its streams, and replaying what a resuming client
/// missed (events after its Last-Event-ID up to the position the hub had dispatched when the stream attached).
/// </summary>
public sealed class StreamSession(ChorusDb db, StreamRoutes routes, StreamEventBuilder builder, ChorusSettings settings)
{
    public async Task<Outcome<Dictionary<string, List<StreamKey>>>> ResolveAsync(Viewer viewer, IReadOnlyCollection<string> streams, int alreadyOpen, CancellationToken ct)
    {
        if (streams.Count == 0) return Problem.Invalid("stream", "Name at least one stream: user, company, topic:<tag> or post:<id>.");
        if (streams.Count + alreadyOpen > settings.Streaming.MaxStreamsPerConnection)
            return new Problem(400, "too-many-subscriptions", "Too many streams on one connection.",
                $"At most {settings.Streaming.MaxStreamsPerConnection} streams per connection.");
        var result = new Dictionary<string, List<StreamKey>>(StringComparer.Ordinal);
        foreach (var name in streams.Distinct(StringComparer.Ordinal))
        {
            var keys = await routes.KeysAsync(viewer, name, ct);
            if (!keys.Ok) return keys.Problem!;
            result[name] = keys.Value!;
        }
        return result;
    }

    public static Outcome<long?> ParseLastEventId(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return (long?)null;
        if (!long.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            return Problem.BadRequest("Last-Event-ID", $"'{(value.Length > 40 ? value[..40] + "…" : value)}' is not an event id this server sent.");
        return (long?)id;
    }

    /// <summary>
    /// Replays events in (<paramref name="after"/>, <paramref name="upTo"/>] that this connection would have received.
    /// Returns false when the client is too far behind (events were pruned): it must refetch and start over.
    /// </summary>
    public async Task<bool> ReplayAsync(StreamConnection connection, long after, long upTo, Func<StreamMessage, Task> write, CancellationToken ct)
    {
        if (after >= upTo) return true;
        var oldest = await db.Events.Where(e => e.Seq != null).MinAsync(e => e.Seq, ct);
        if (oldest is null || oldest > after + 1 || upTo - after > settings.Streaming.RetentionEvents) return false;
        var position = after;
        var written = after; // an event may come as two copies (a membership: the person's and the group's)
        while (position < upTo)
        {
            var from = position;
            var batch = await db.Events.AsNoTracking().Where(e => e.Seq > from && e.Seq <= upTo).OrderBy(e => e.Seq).Take(EventDispatcher.Batch).ToListAsync(ct);
            if (batch.Count == 0) break;
            foreach (var e in await builder.BuildAsync(batch, ct, person => person == connection.Viewer.Id))
                if (e.Seq > written && StreamHub.IsDeliverable(e.Kind) && connection.Listens(e.Keys) && StreamHub.Allowed(connection, e))
                {
                    written = e.Seq;
                    await write(new StreamMessage(e.Seq, e.Kind, connection.Viewer.Id == e.AuthorId && e.AuthorData is not null ? e.AuthorData : e.Data));
                }
            position = batch[^1].Seq!.Value;
            db.ChangeTracker.Clear();
        }
        return true;
    }
}
