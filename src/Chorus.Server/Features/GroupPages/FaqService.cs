using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Groups;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.GroupPages;

/// <summary>A group's FAQ: ordered question and answer entries that the group's admins edit; its readers read.</summary>
public sealed class FaqService(ChorusDb db, IdGenerator ids, TimeProvider clock, LongText text)
{
    public const int MaxQuestion = 500, MaxAnswer = 20_000, MaxEntries = 200;

    public async Task<FaqDto> GetAsync(Viewer viewer, GroupContext context, CancellationToken ct)
    {
        var entries = await db.FaqEntries.AsNoTracking().Where(f => f.GroupId == context.Group.Id).OrderBy(f => f.Position).ThenBy(f => f.Id).ToListAsync(ct);
        return new FaqDto(entries.Select(Dto).ToList(), GroupAccess.CanManage(viewer, context.Group, context.Mine));
    }

    public async Task<Outcome<FaqEntry>> CreateAsync(Viewer viewer, GroupContext context, FaqEntryRequest request, CancellationToken ct)
    {
        if (Check(viewer, context, request) is { } problem) return problem;
        var gid = context.Group.Id;
        var count = await db.FaqEntries.CountAsync(f => f.GroupId == gid, ct);
        if (count >= MaxEntries) return Problem.Invalid("question", $"A FAQ holds at most {MaxEntries} entries.");
        var last = await db.FaqEntries.Where(f => f.GroupId == gid).MaxAsync(f => (int?)f.Position, ct) ?? 0;
        var entry = new FaqEntry
        {
            Id = ids.Next(), GroupId = gid, Position = last + 1, Question = request.Question!.Trim(), Answer = request.Answer!.Trim(),
            AnswerHtml = await text.RenderAsync(request.Answer!.Trim(), ct), CreatedBy = viewer.Id, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.FaqEntries.Add(entry);
        await db.SaveChangesAsync(ct);
        return entry;
    }

    public async Task<Outcome<FaqEntry>> UpdateAsync(Viewer viewer, GroupContext context, string entryId, FaqEntryRequest request, CancellationToken ct)
    {
        if (Check(viewer, context, request) is { } problem) return problem;
        var entry = await FindAsync(context, entryId, ct);
        if (entry is null) return Problem.NotFound("The FAQ entry");
        entry.Question = request.Question!.Trim();
        entry.Answer = request.Answer!.Trim();
        entry.AnswerHtml = await text.RenderAsync(entry.Answer, ct);
        entry.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return entry;
    }

    public async Task<Outcome<bool>> DeleteAsync(Viewer viewer, GroupContext context, string entryId, CancellationToken ct)
    {
        if (!GroupAccess.CanManage(viewer, context.Group, context.Mine)) return Problem.Forbidden("Only the group's admins can edit its FAQ.");
        var entry = await FindAsync(context, entryId, ct);
        if (entry is null) return Problem.NotFound("The FAQ entry");
        db.FaqEntries.Remove(entry);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Sets the order from the full list of entry ids: it must name every entry exactly once.</summary>
    public async Task<Outcome<bool>> ReorderAsync(Viewer viewer, GroupContext context, FaqOrderRequest request, CancellationToken ct)
    {
        if (!GroupAccess.CanManage(viewer, context.Group, context.Mine)) return Problem.Forbidden("Only the group's admins can edit its FAQ.");
        if (request.Ids is null) return Problem.Invalid("ids", "is required: every entry's id, in the new order.");
        var gid = context.Group.Id;
        var entries = await db.FaqEntries.Where(f => f.GroupId == gid).ToDictionaryAsync(f => GroupContent.Id(f.Id), ct);
        if (request.Ids.Count != entries.Count || request.Ids.Distinct().Count() != request.Ids.Count || !request.Ids.All(entries.ContainsKey))
            return Problem.Invalid("ids", $"must list each of the FAQ's {entries.Count} entries exactly once.");
        for (var i = 0; i < request.Ids.Count; i++) entries[request.Ids[i]].Position = i + 1;
        await db.SaveChangesAsync(ct);
        return true;
    }

    async Task<FaqEntry?> FindAsync(GroupContext context, string entryId, CancellationToken ct) =>
        GroupContent.TryParseId(entryId, out var id)
            ? await db.FaqEntries.FirstOrDefaultAsync(f => f.Id == id && f.GroupId == context.Group.Id, ct)
            : null;

    static Problem? Check(Viewer viewer, GroupContext context, FaqEntryRequest request)
    {
        if (!GroupAccess.CanManage(viewer, context.Group, context.Mine)) return Problem.Forbidden("Only the group's admins can edit its FAQ.");
        return LongText.Check("question", request.Question?.Trim(), MaxQuestion) ?? LongText.Check("answer", request.Answer?.Trim(), MaxAnswer);
    }

    public static FaqEntryDto Dto(FaqEntry f) =>
        new(GroupContent.Id(f.Id), f.Position, f.Question, f.Answer, f.AnswerHtml, f.CreatedAt, f.UpdatedAt);
}
