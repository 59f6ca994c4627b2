using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Feeds;

/// <summary>What a feed is merged from: one author's thread roots, a topic's posts (all, or thread roots only), a group's or the all-company stream's thread roots.</summary>
public enum SourceKind : byte { Author, Topic, TopicRoots, Group, Company }

public readonly record struct SourceKey(SourceKind Kind, long Id)
{
    public static readonly SourceKey Company = new(SourceKind.Company, 0);
}

/// <summary>
/// A source's newest post ids, newest first, up to <see cref="FeedSources.Depth"/>; Complete when that is all of them.
/// A struct, so the cache's entry holds it without one more object to reach (W2 in bench/findings.md).
/// </summary>
public readonly record struct SourceList(long[] Ids, bool Complete)
{
    /// <summary>The list's length, newest and oldest id, kept beside it so opening a source reads no more than the entry.</summary>
    public int Count { get; } = Ids.Length;
    public long Newest { get; } = Ids.Length > 0 ? Ids[0] : 0;
    public long Oldest { get; } = Ids.Length > 0 ? Ids[^1] : 0;
}

/// <summary>
/// A person's home feed sources: themselves, and the people, topics and groups they follow. Beside each source, the
/// cache entry last found for its list: a hint that skips the lookup while the entry stays current
/// (<see cref="ReadCache{TKey, TValue}.TryGetMany(IReadOnlyList{TKey}, Span{ReadCache{TKey, TValue}.Entry}, Span{TValue}, Span{bool})"/>).
/// Requests of the same reader may write hints at once: each is a whole reference, and every use checks it again.
/// </summary>
public sealed class HomeSources(SourceKey[] keys)
{
    public SourceKey[] Keys { get; } = keys;
    internal ReadCache<SourceKey, SourceList>.Entry?[] Hints { get; } = new ReadCache<SourceKey, SourceList>.Entry?[keys.Length];
}

/// <summary>
/// The node's memory of feed sources (docs/adr/008-read-model.md): each source's newest post ids, and each person's
/// follows. The lists are candidates, never the answer: they may still hold a post deleted since, and readers check
/// every candidate against the post's current view with the one visibility rule. They must never miss a post, so a
/// new post forgets the lists it belongs to (its author's, its topics', its group's or the all-company one); a follow
/// change forgets the person's follows.
/// </summary>
public sealed class FeedSources(ChorusSettings settings) : IChangeObserver, IClearable
{
    /// <summary>How many ids a list keeps: three pages of the default size, so most reads never go past it.</summary>
    public const int Depth = 64;

    public ReadCache<SourceKey, SourceList> Lists { get; } = new(settings.Cache.Feeds, TimeSpan.FromSeconds(settings.Cache.TimeToLiveSeconds));
    public ReadCache<long, HomeSources> Follows { get; } = new(settings.Cache.Feeds, TimeSpan.FromSeconds(settings.Cache.TimeToLiveSeconds));

    public void Apply(IReadOnlyList<CommittedChange> changes)
    {
        foreach (var c in changes)
        {
            switch (c.Kind)
            {
                case "post.created" or "share.created" when c.Post is { } p:
                    foreach (var topic in c.TopicIds) Lists.Invalidate(new SourceKey(SourceKind.Topic, topic));
                    if (p.ReplyToId is not null) break;
                    Lists.Invalidate(new SourceKey(SourceKind.Author, p.AuthorId));
                    Lists.Invalidate(p.GroupId is { } g ? new SourceKey(SourceKind.Group, g) : SourceKey.Company);
                    foreach (var topic in c.TopicIds) Lists.Invalidate(new SourceKey(SourceKind.TopicRoots, topic));
                    break;
                case "post.created" or "share.created":
                    // Without the row the lists it joined are unknown: forget them all (does not happen on either path
                    // today; both have the row).
                    Lists.Clear();
                    break;
                case "post.updated" when c.Event.Data == Posts.PostEdits.Text:
                    // An edit can add or remove topics; the topics it had before are not in the event. (Votes and
                    // answers also say post.updated, but change no topic.)
                    Lists.InvalidateWhere((key, _) => key.Kind is SourceKind.Topic or SourceKind.TopicRoots);
                    break;
                case "follow.created" or "follow.removed" or "topic.followed" or "topic.unfollowed" or "group.membership":
                    Follows.Invalidate(c.Event.PersonId ?? c.Event.ActorId);
                    break;
            }
        }
    }

    public void Clear()
    {
        Lists.Clear();
        Follows.Clear();
    }

    /// <summary>
    /// Up to <paramref name="limit"/> candidate ids of the sources below <paramref name="below"/>, newest first, per
    /// source, in one statement per kind and 50 sources: thread roots (or, for <see cref="SourceKind.Topic"/>, posts)
    /// that are not deleted. Not filtered by audience: readers apply the visibility rule to each candidate.
    /// </summary>
    public static async Task<Dictionary<SourceKey, List<long>>> ReadAsync(ChorusDb db, IReadOnlyList<SourceKey> keys, long below, int limit, CancellationToken ct)
    {
        var result = keys.Distinct().ToDictionary(k => k, _ => new List<long>());
        foreach (var kind in result.Keys.GroupBy(k => k.Kind))
            foreach (var chunk in kind.Chunk(50))
            {
                var rows = await chunk.Select(key => Candidates(db, key, below).Take(limit))
                    .Aggregate((all, one) => all.Concat(one)).ToListAsync(ct);
                foreach (var row in rows) result[new SourceKey(kind.Key, row.Source)].Add(row.Id);
            }
        foreach (var ids in result.Values) ids.Sort((a, b) => b.CompareTo(a));
        return result;
    }

    /// <summary>A row of <see cref="Candidates"/>: the source's own column (author, group, topic) and the post id.</summary>
    sealed class Candidate
    {
        public long Source { get; init; }
        public long Id { get; init; }
    }

    static IQueryable<Candidate> Candidates(ChorusDb db, SourceKey key, long below)
    {
        var id = key.Id;
        var roots = db.Posts.Where(p => p.ReplyToId == null && p.DeletedAt == null && p.Id < below);
        return key.Kind switch
        {
            SourceKind.Author => roots.Where(p => p.AuthorId == id).OrderByDescending(p => p.Id).Select(p => new Candidate { Source = p.AuthorId, Id = p.Id }),
            SourceKind.Group => roots.Where(p => p.GroupId == id).OrderByDescending(p => p.Id).Select(p => new Candidate { Source = p.GroupId!.Value, Id = p.Id }),
            SourceKind.Company => roots.Where(p => p.GroupId == null).OrderByDescending(p => p.Id).Select(p => new Candidate { Source = 0, Id = p.Id }),
            // A topic's walk follows its (topic_id, post_id) key newest first and stops at the limit (ADR 003).
            SourceKind.TopicRoots => from pt in db.PostTopics join p in roots on pt.PostId equals p.Id
                                     where pt.TopicId == id orderby pt.PostId descending select new Candidate { Source = pt.TopicId, Id = pt.PostId },
            SourceKind.Topic => from pt in db.PostTopics join p in db.Posts on pt.PostId equals p.Id
                                where pt.TopicId == id && p.DeletedAt == null && pt.PostId < below
                                orderby pt.PostId descending select new Candidate { Source = pt.TopicId, Id = pt.PostId },
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
    }
}
