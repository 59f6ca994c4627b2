using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Notifications;

/// <summary>Groups of notifications → API JSON for their recipient, in batches: a fixed number of queries per page.</summary>
public sealed class NotificationRenderer(ChorusDb db, PostRenderer posts, PersonRenderer people)
{
    /// <summary>Actors named in a group; the rest are counted ("and 4 others").</summary>
    public const int ActorsShown = 3;

    /// <param name="groups">Each group newest first.</param>
    public async Task<IReadOnlyList<NotificationDto>> RenderAsync(IReadOnlyList<IReadOnlyList<Notification>> groups, Viewer viewer, CancellationToken ct)
    {
        if (groups.Count == 0) return [];
        var all = groups.SelectMany(g => g).ToList();
        var actorIds = groups.SelectMany(g => g.Select(n => n.ActorId).Distinct().Take(ActorsShown)).Distinct();
        var actors = await people.SummariesAsync(actorIds, ct);
        var postIds = all.Where(n => n.PostId is not null).Select(n => n.PostId!.Value).Distinct().ToList();
        var visible = postIds.Count == 0 ? [] : await db.Posts.AsNoTracking().VisibleTo(viewer).Where(p => postIds.Contains(p.Id)).ToListAsync(ct);
        var rendered = (await posts.RenderAsync(visible, viewer, ct)).ToDictionary(d => d.Id);
        // Whose post a reply answered: "replied to your post" or "replied in a thread you took part in".
        var parentIds = visible.Where(p => p.ReplyToId is not null).Select(p => p.ReplyToId!.Value).Distinct().ToList();
        var parentAuthors = parentIds.Count == 0 ? [] :
            await db.Posts.AsNoTracking().Where(p => parentIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.AuthorId, ct);
        var replyTo = visible.Where(p => p.ReplyToId is not null).ToDictionary(p => p.Id, p => parentAuthors.GetValueOrDefault(p.ReplyToId!.Value));

        var result = new List<NotificationDto>(groups.Count);
        foreach (var group in groups)
        {
            var first = group[0];
            var distinctActors = group.Select(n => n.ActorId).Distinct().ToList();
            var shown = distinctActors.Take(ActorsShown).Where(actors.ContainsKey).Select(id => actors[id]).ToList();
            var postKey = first.PostId?.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var post = postKey is not null ? rendered.GetValueOrDefault(postKey) : null;
            var toMe = first.PostId is { } pid && replyTo.GetValueOrDefault(pid) == viewer.Id;
            result.Add(new NotificationDto(
                group.Select(n => n.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), first.Kind, shown, distinctActors.Count,
                post, first.CreatedAt, group.All(n => n.ReadAt is not null), Text(first.Kind, shown, distinctActors.Count, toMe)));
        }
        return result;
    }

    public static string Text(string kind, IReadOnlyList<PersonSummary> actors, int count, bool replyToMe)
    {
        var first = actors.Count > 0 ? actors[0].DisplayName : "Someone";
        var who = count switch
        {
            <= 1 => first,
            2 when actors.Count > 1 => $"{first} and {actors[1].DisplayName}",
            2 => $"{first} and 1 other",
            _ => $"{first} and {count - 1} others",
        };
        return kind switch
        {
            NotificationKinds.Mention => $"{who} mentioned you",
            NotificationKinds.Reply => replyToMe ? $"{who} replied to your post" : $"{who} replied in a thread you took part in",
            NotificationKinds.Reaction => $"{who} reacted to your post",
            NotificationKinds.Share => $"{who} shared your post",
            NotificationKinds.Follow => $"{who} followed you",
            NotificationKinds.Announcement => $"{who} made an announcement",
            NotificationKinds.Praise => $"{who} praised you",
            NotificationKinds.EventReminder => "An event you are going to starts soon",
            _ => who,
        };
    }
}
