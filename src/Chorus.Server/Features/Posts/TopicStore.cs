using Chorus.Server.Data;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Posts;

/// <summary>Topics are created on first use. The insert ignores a concurrent creator of the same tag (both databases support ON CONFLICT).</summary>
public sealed class TopicStore(ChorusDb db, IdGenerator ids, TimeProvider clock)
{
    public async Task<IReadOnlyList<long>> EnsureAsync(IReadOnlyList<string> tags, CancellationToken ct)
    {
        if (tags.Count == 0) return [];
        var keys = tags.Select(PostText.Key).Distinct().ToList();
        var found = await db.Topics.Where(t => keys.Contains(t.TagKey)).Select(t => new { t.Id, t.TagKey }).ToListAsync(ct);
        foreach (var tag in tags.DistinctBy(PostText.Key).Where(t => found.All(f => f.TagKey != PostText.Key(t))))
        {
            var id = ids.Next();
            var key = PostText.Key(tag);
            var now = clock.GetUtcNow().UtcDateTime;
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO topics (id, tag, tag_key, created_at) VALUES ({id}, {tag}, {key}, {now}) ON CONFLICT (tag_key) DO NOTHING", ct);
        }
        if (found.Count < keys.Count)
            found = await db.Topics.Where(t => keys.Contains(t.TagKey)).Select(t => new { t.Id, t.TagKey }).ToListAsync(ct);
        return found.Select(f => f.Id).ToList();
    }

    public static bool IsValidTag(string tag) =>
        tag.Length is > 0 and <= PostText.MaxTagLength && tag.All(c => char.IsLetterOrDigit(c) || c == '_') && tag.Any(char.IsLetter);

    public Task<Topic?> FindAsync(string tag, CancellationToken ct)
    {
        var key = PostText.Key(tag.Trim().TrimStart('#'));
        return db.Topics.AsNoTracking().FirstOrDefaultAsync(t => t.TagKey == key, ct);
    }
}
