using Chorus.Server.Data;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Posts;

/// <summary>
/// What a rendered post is for every reader alike: the row (for the visibility rule and the kind details), the JSON
/// without its per-reader parts, and who reacted how (so each reader's own reactions need no query). The author's
/// card, the group's card and the shared original are joined in when a reader's copy is made
/// (<see cref="PostRenderer"/>), so a renamed person or group does not make the posts stale.
/// </summary>
public sealed class PostView(Post post, PostDto neutral, long[] reactors, byte[] reactorKinds)
{
    /// <summary>The row, for the visibility rule and the kind details: its Text and Html are empty (read them from
    /// <see cref="Neutral"/>, which keeps them once).</summary>
    public Post Post { get; } = post;

    /// <summary>The reader-independent JSON: Author, Group, SharedPost, MyReactions, CanEdit and Details are filled per reader.</summary>
    public PostDto Neutral { get; } = neutral;

    /// <summary>The reactors' ids, sorted, each with the index of its reaction in <see cref="Reactions.All"/> beside it.</summary>
    readonly long[] _reactors = reactors;
    readonly byte[] _reactorKinds = reactorKinds;

    /// <summary>The reader's own reactions, in the fixed order.</summary>
    public IReadOnlyList<string> ReactionsOf(long personId)
    {
        var at = Array.BinarySearch(_reactors, personId);
        if (at < 0) return [];
        while (at > 0 && _reactors[at - 1] == personId) at--;
        var kinds = new List<byte>(2);
        for (; at < _reactors.Length && _reactors[at] == personId; at++) kinds.Add(_reactorKinds[at]);
        kinds.Sort();
        return [.. kinds.Select(k => Reactions.All[k].Name)];
    }
}

/// <summary>
/// The node's cache of <see cref="PostView"/>s (docs/adr/008-read-model.md). A view is forgotten when anything it shows
/// changes: the post is edited, deleted or reacted to, gets a reply or a share (counts), or its group changes (audience,
/// deletion). Everything else a post shows is per reader and never cached.
/// </summary>
public sealed class PostViews(ChorusSettings settings) : IChangeObserver, IClearable
{
    public ReadCache<long, PostView> Cache { get; } = new(settings.Cache.Posts, TimeSpan.FromSeconds(settings.Cache.TimeToLiveSeconds));

    public void Apply(IReadOnlyList<CommittedChange> changes)
    {
        foreach (var c in changes)
        {
            var e = c.Event;
            switch (c.Kind)
            {
                case "post.updated" or "reaction.changed" when e.PostId is { } id:
                    Cache.Invalidate(id);
                    break;
                case "post.created" or "share.created" or "post.deleted" when e.PostId is { } id:
                    // The counts on its parent (replies) and original (shares), and a deleted post's own view. A new
                    // post's own view is left alone: nothing could have cached it before it existed, and its writer
                    // keeps the view it built (PostService.SaveNewAsync).
                    var post = c.Post ?? (Cache.TryGet(id, out var cached) ? cached.Post : null);
                    if (c.Kind == "post.deleted") Cache.Invalidate(id);
                    if (post?.ReplyToId is { } parent) Cache.Invalidate(parent);
                    if (post?.ShareOfId is { } original) Cache.Invalidate(original);
                    if (c.Kind == "share.created" && long.TryParse(e.Data, out var target)) Cache.Invalidate(target);
                    break;
                case "group.updated" when long.TryParse(e.Data, out var group):
                    Cache.InvalidateWhere((_, v) => v.Post.GroupId == group);
                    break;
            }
        }
    }

    public void Clear() => Cache.Clear();
}
