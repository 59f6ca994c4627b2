using Chorus.Server.Features.Groups;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Realtime;

/// <summary>
/// Stream names → routing keys. <c>user</c>: your home feed and your notifications; <c>company</c>: everything you
/// may see; <c>group:{id}</c>: one group's posts; <c>topic:{tag}</c>; <c>post:{id}</c>: replies, reactions and edits in that post's thread.
/// </summary>
public sealed class StreamRoutes(ChorusDb db, TopicStore topics)
{
    public const int MaxStreamName = 100;

    public async Task<Outcome<List<StreamKey>>> KeysAsync(Viewer viewer, string stream, CancellationToken ct)
    {
        if (stream.Length > MaxStreamName) return Problem.Invalid("stream", $"must be at most {MaxStreamName} characters.");
        switch (stream)
        {
            case "user": return await UserKeysAsync(viewer.Id, ct);
            case "company":
                if (viewer.IsGuest) return Problem.Forbidden("Guests see only the groups they were invited into.");
                return new List<StreamKey> { StreamKey.Company };
        }
        var colon = stream.IndexOf(':');
        var (kind, arg) = colon < 0 ? (stream, "") : (stream[..colon], stream[(colon + 1)..]);
        switch (kind)
        {
            case "topic":
                var tag = arg.TrimStart('#');
                if (!TopicStore.IsValidTag(tag)) return Problem.Invalid("stream", $"'{stream}': a topic stream is topic:<tag>, with letters, digits or '_'.");
                // Listening to a topic nobody has used yet is allowed: its first post will arrive.
                await topics.EnsureAsync([tag], ct);
                var topic = await topics.FindAsync(tag, ct);
                return new List<StreamKey> { StreamKey.Topic(topic!.Id) };
            case "post":
                if (!long.TryParse(arg, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                    return Problem.Invalid("stream", $"'{stream}': a post stream is post:<id>.");
                var post = await db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == id, ct);
                if (post is null) return Problem.NotFound("The post");
                return new List<StreamKey> { StreamKey.Thread(post.RootId) };
            case "group":
                if (!long.TryParse(arg, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gid))
                    return Problem.Invalid("stream", $"'{stream}': a group stream is group:<id>.");
                var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == gid, ct);
                var mine = await db.GroupMembers.AsNoTracking().FirstOrDefaultAsync(m => m.GroupId == gid && m.PersonId == viewer.Id, ct);
                if (group is null || !GroupAccess.CanFind(viewer, group, mine)) return Problem.NotFound("The group");
                if (!GroupAccess.CanRead(viewer, group, mine)) return Problem.Forbidden("Only the group's members can read it.");
                return new List<StreamKey> { group.Kind == GroupKind.Company ? StreamKey.Company : StreamKey.Group(gid) };
            default:
                return Problem.Invalid("stream", $"'{stream}' is not a stream; use user, company, group:<id>, topic:<tag> or post:<id>.");
        }
    }

    public async Task<List<StreamKey>> UserKeysAsync(long personId, CancellationToken ct)
    {
        var keys = new List<StreamKey> { StreamKey.Person(personId), StreamKey.Author(personId) };
        keys.AddRange((await db.Follows.Where(f => f.FollowerId == personId).Select(f => f.FolloweeId).ToListAsync(ct)).Select(StreamKey.Author));
        keys.AddRange((await db.TopicFollows.Where(f => f.PersonId == personId).Select(f => f.TopicId).ToListAsync(ct)).Select(StreamKey.Topic));
        keys.AddRange((await db.GroupMembers.Where(m => m.PersonId == personId && m.State == MembershipState.Member && m.ShowInHome)
            .Select(m => m.GroupId).ToListAsync(ct)).Select(StreamKey.Group));
        return keys;
    }
}
