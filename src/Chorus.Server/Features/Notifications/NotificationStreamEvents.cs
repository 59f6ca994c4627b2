using Chorus.Server.Features.Auth;
using System.Globalization;
using System.Text.Json;
using Chorus.Server.Data;
using Chorus.Server.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Notifications;

/// <summary>
/// Builds the stream forms of "notification" (one ungrouped item, exactly as the REST list renders it) and
/// "notification.read" (what was marked, and the new unread count). Both go to their one person only; a
/// notification carries its post so delivery re-checks that the recipient may still see it.
/// </summary>
public sealed class NotificationStreamEvents(ChorusDb db, NotificationRenderer renderer, NotificationService notifications)
{
    public static bool Handles(string kind) => kind is "notification" or "notification.read";

    /// <summary>
    /// Stream events by change-event id; events whose notification or post is gone are left out, and so are those of
    /// people <paramref name="recipients"/> rules out (nobody to deliver them to on this node). Each notification is
    /// rendered as its reader, so an announcement to the whole company costs a rendering per connected recipient, not
    /// per person notified.
    /// </summary>
    public async Task<Dictionary<long, StreamEvent>> BuildAsync(IReadOnlyList<ChangeEvent> events, JsonSerializerOptions options, Func<long, bool>? recipients, CancellationToken ct)
    {
        var result = new Dictionary<long, StreamEvent>();
        var mine = events.Where(e => Handles(e.Kind) && e.PersonId is { } person && (recipients is null || recipients(person))).ToList();
        if (mine.Count == 0) return result;

        var noteIds = mine.Where(e => e.Kind == "notification").Select(e => long.TryParse(e.Data, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0)
            .Where(id => id > 0).Distinct().ToList();
        var notes = noteIds.Count == 0 ? [] : await db.Notifications.AsNoTracking().Where(n => noteIds.Contains(n.Id)).ToDictionaryAsync(n => n.Id, ct);
        var postIds = notes.Values.Where(n => n.PostId is not null).Select(n => n.PostId!.Value).Distinct().ToList();
        var posts = postIds.Count == 0 ? [] : await db.Posts.AsNoTracking().Where(p => postIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var personIds = mine.Select(e => e.PersonId!.Value).Distinct().ToList();
        var people = await db.People.AsNoTracking().Where(p => personIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var groups = (await db.GroupMembers.AsNoTracking().Where(m => personIds.Contains(m.PersonId) && m.State == MembershipState.Member)
                .Select(m => new { m.PersonId, m.GroupId }).ToListAsync(ct))
            .ToLookup(m => m.PersonId, m => m.GroupId);
        Viewer Reader(Person person) => NotificationViewer.Of(person, [.. groups[person.Id]]);

        // Rendered for each recipient as that reader, so the embedded post (and its "my reactions") is theirs.
        var rendered = new Dictionary<long, string>();
        foreach (var forPerson in notes.Values.GroupBy(n => n.RecipientId))
        {
            if (!people.TryGetValue(forPerson.Key, out var person)) continue;
            var list = forPerson.ToList();
            var dtos = await renderer.RenderAsync(list.Select(n => (IReadOnlyList<Notification>)[n]).ToList(), Reader(person), ct);
            for (var i = 0; i < list.Count; i++) rendered[list[i].Id] = JsonSerializer.Serialize(dtos[i], options);
        }
        var unread = new Dictionary<long, int>();
        foreach (var personId in mine.Where(e => e.Kind == "notification.read").Select(e => e.PersonId!.Value).Distinct())
            if (people.TryGetValue(personId, out var person)) unread[personId] = await notifications.UnreadCountAsync(Reader(person), ct);

        foreach (var e in mine)
        {
            var personId = e.PersonId!.Value;
            var keys = new[] { StreamKey.Person(personId) };
            if (e.Kind == "notification")
            {
                if (!long.TryParse(e.Data, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || !notes.TryGetValue(id, out var note)) continue;
                if (!rendered.TryGetValue(id, out var data)) continue;
                Post? post = null;
                // A notification about a post deleted since is not delivered: its recipient can no longer see the post.
                if (note.PostId is { } pid && (!posts.TryGetValue(pid, out post) || post.DeletedAt is not null)) continue;
                result[e.Id] = new StreamEvent(e.Seq!.Value, e.Kind, keys, post, null, data, null, personId);
            }
            else
            {
                var marked = ParseRead(e.Data);
                var payload = marked.All
                    ? JsonSerializer.Serialize(new { all = true, unreadCount = unread.GetValueOrDefault(personId) }, options)
                    : JsonSerializer.Serialize(new { ids = marked.Ids, unreadCount = unread.GetValueOrDefault(personId) }, options);
                result[e.Id] = new StreamEvent(e.Seq!.Value, e.Kind, keys, null, null, payload, null, personId);
            }
        }
        return result;
    }

    static (bool All, IReadOnlyList<string> Ids) ParseRead(string? data)
    {
        if (string.IsNullOrEmpty(data)) return (false, []);
        try
        {
            using var doc = JsonDocument.Parse(data);
            var root = doc.RootElement;
            if (root.TryGetProperty("all", out var all) && all.ValueKind == JsonValueKind.True) return (true, []);
            if (root.TryGetProperty("ids", out var ids) && ids.ValueKind == JsonValueKind.Array)
                return (false, ids.EnumerateArray().Select(i => i.GetString() ?? "").ToList());
        }
        catch (JsonException) { /* written by this server; an unreadable row is announced without ids rather than dropped */ }
        return (false, []);
    }
}
