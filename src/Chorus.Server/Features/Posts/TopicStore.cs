using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Posts;

/// <summary>A topic as posts show it: its id and its tag as first written.</summary>
public sealed record TopicRef(long Id, string Tag);

/// <summary>
/// Tag keys and their topics, kept in memory: a topic never changes or goes away once created, so the map needs no
/// invalidation, and a post with a topic needs no query to find it (W1 in bench/findings.md).
/// </summary>
public sealed class TopicMap(ChorusSettings settings)
{
    public ReadCache<string, TopicRef> Cache { get; } = new(settings.Cache.Feeds, TimeSpan.FromSeconds(settings.Cache.TimeToLiveSeconds));
}

/// <summary>Topics are created on first use. The insert ignores a concurrent creator of the same tag (both databases support ON CONFLICT).</summary>
public sealed class TopicStore(RequestDb requestDb, IdGenerator ids, TimeProvider clock, TopicMap map)
{
    ChorusDb db => requestDb.Context;

    /// <summary>The topics of these tags, created if new; in the order of the tags, without repeats.</summary>
    public async Task<IReadOnlyList<TopicRef>> EnsureAsync(IReadOnlyList<string> tags, CancellationToken ct)
    {
        if (tags.Count == 0) return [];
        var keys = tags.Select(PostText.Key).Distinct().ToList();
        var found = await LookUpAsync(keys, ct);
        var created = false;
        foreach (var tag in tags.DistinctBy(PostText.Key).Where(t => !found.ContainsKey(PostText.Key(t))))
        {
            var id = ids.Next();
            var key = PostText.Key(tag);
            var now = clock.GetUtcNow().UtcDateTime;
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO topics (id, tag, tag_key, created_at) VALUES ({id}, {tag}, {key}, {now}) ON CONFLICT (tag_key) DO NOTHING", ct);
            created = true;
        }
        if (created) found = await LookUpAsync(keys, ct);
        return [.. keys.Where(found.ContainsKey).Select(k => found[k])];
    }

    Task<Dictionary<string, TopicRef>> LookUpAsync(IReadOnlyList<string> keys, CancellationToken ct) =>
        map.Cache.GetManyAsync(keys, async (missing, ct) =>
        {
            var wanted = missing.ToArray();
            return await db.Topics.AsNoTracking().Where(t => wanted.Contains(t.TagKey)).ToDictionaryAsync(t => t.TagKey, t => new TopicRef(t.Id, t.Tag), ct);
        }, ct);

    public static bool IsValidTag(string tag) =>
        tag.Length is > 0 and <= PostText.MaxTagLength && tag.All(c => char.IsLetterOrDigit(c) || c == '_') && tag.Any(char.IsLetter);

    public Task<Topic?> FindAsync(string tag, CancellationToken ct)
    {
        var key = PostText.Key(tag.Trim().TrimStart('#'));
        return db.Topics.AsNoTracking().FirstOrDefaultAsync(t => t.TagKey == key, ct);
    }
}
