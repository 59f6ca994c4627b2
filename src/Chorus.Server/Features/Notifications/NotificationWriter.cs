using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Notifications;

/// <summary>
/// Adds notifications (and their "notification" change events) to the caller's unit of work, so they commit in the
/// same SaveChanges as the change they are about. Nobody is notified of their own action, of a post they cannot
/// see, while deactivated, for a kind they switched off, or about a thread they muted.
/// </summary>
public sealed class NotificationWriter(RequestDb requestDb, IdGenerator ids)
{
    ChorusDb db => requestDb.Context;

    /// <summary>At most this many people are notified of mentions in one post: a post naming the whole company is a broadcast, not a conversation.</summary>
    public const int MaxMentions = 50;
    /// <summary>At most this many earlier participants of a thread hear about a reply, bounding the work one reply can cause.</summary>
    public const int MaxThreadParticipants = 200;

    /// <summary>Mentions in a new post, and a reply to its parent's author and the thread's earlier participants. A mention wins over a reply.</summary>
    public async Task AddForPostAsync(Post post, Post? parent, IReadOnlyCollection<long> mentioned, DateTime now, CancellationToken ct)
    {
        var mentions = mentioned.Where(id => id != post.AuthorId).Distinct().Take(MaxMentions).ToList();
        await AddAsync(NotificationKinds.Mention, post.AuthorId, mentions, post, now, ct);
        if (parent is null) return;
        var participants = await db.Posts.AsNoTracking()
            .Where(p => p.RootId == post.RootId && p.DeletedAt == null && p.AuthorId != post.AuthorId && p.AuthorId != parent.AuthorId)
            .Select(p => p.AuthorId).Distinct().OrderBy(id => id).Take(MaxThreadParticipants).ToListAsync(ct);
        var replied = new List<long> { parent.AuthorId };
        replied.AddRange(participants);
        await AddAsync(NotificationKinds.Reply, post.AuthorId, replied.Except(mentioned).ToList(), post, now, ct);
    }

    public Task AddAsync(string kind, long actorId, long recipientId, Post? post, DateTime now, CancellationToken ct) =>
        AddAsync(kind, actorId, [recipientId], post, now, ct);

    public async Task AddAsync(string kind, long actorId, IReadOnlyCollection<long> recipientIds, Post? post, DateTime now, CancellationToken ct)
    {
        var candidates = recipientIds.Where(id => id != actorId).Distinct().ToList();
        if (candidates.Count == 0) return;
        var people = await db.People.AsNoTracking().Where(p => candidates.Contains(p.Id) && p.DeactivatedAt == null).ToListAsync(ct);
        if (people.Count == 0) return;
        var off = await db.NotificationPreferences.AsNoTracking()
            .Where(p => candidates.Contains(p.PersonId) && p.Kind == kind && !p.Enabled).Select(p => p.PersonId).ToListAsync(ct);
        var muted = post is null ? [] : await db.ThreadMutes.AsNoTracking()
            .Where(m => candidates.Contains(m.PersonId) && m.RootId == post.RootId).Select(m => m.PersonId).ToListAsync(ct);
        // Of all of a recipient's groups only the post's own group matters to the visibility rule here.
        var inGroup = post?.GroupId is not { } gid ? [] : (await db.GroupMembers.AsNoTracking()
            .Where(m => m.GroupId == gid && candidates.Contains(m.PersonId) && m.State == MembershipState.Member)
            .Select(m => m.PersonId).ToListAsync(ct)).ToHashSet();
        foreach (var person in people)
        {
            if (off.Contains(person.Id) || muted.Contains(person.Id)) continue;
            if (post is not null && !NotificationViewer.Of(person, inGroup.Contains(person.Id) ? [post.GroupId!.Value] : []).CanSee(post)) continue;
            var notification = new Notification
            {
                Id = ids.Next(), RecipientId = person.Id, Kind = kind, ActorId = actorId, PostId = post?.Id, RootId = post?.RootId, CreatedAt = now,
            };
            db.Notifications.Add(notification);
            db.Events.Add(new ChangeEvent
            {
                Kind = "notification", ActorId = actorId, PersonId = person.Id, PostId = post?.Id,
                Data = notification.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), CreatedAt = now,
            });
        }
    }
}

/// <summary>A person as a reader, for applying the one visibility rule to someone who is not the one asking.</summary>
public static class NotificationViewer
{
    public static Viewer Of(Person p, long[] groups) =>
        new(p.Id, p.Handle, p.DisplayName, p.Role, CredentialKind.Session, 0, false) { Groups = groups };
}
