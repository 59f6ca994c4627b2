using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>Questions: a best answer chosen by the asker or a group admin, an unanswered list, and how fast answers came.</summary>
public sealed class QuestionService(ChorusDb db, PostService posts, PostTypeAccess access, PostRenderer renderer, TimeProvider clock)
{
    public Task<Outcome<Post>> CreateAsync(Viewer viewer, string groupId, CreateQuestionRequest request, CancellationToken ct) =>
        posts.CreateAsync(viewer, new CreatePostRequest(request.Text, null, groupId), PostKinds.Question, (post, _) =>
        {
            db.Add(new Question { PostId = post.Id, AskerId = viewer.Id });
            return Task.FromResult<Problem?>(null);
        }, ct);

    /// <summary>
    /// Called by PostService for every new reply, inside its unit of work: one primary-key look-up of the thread's
    /// question row, and only while that question has had no reply from anyone but its asker.
    /// </summary>
    public static async Task NoteReplyAsync(ChorusDb db, Post reply, DateTime now, CancellationToken ct)
    {
        var question = await db.Set<Question>().FirstOrDefaultAsync(q => q.PostId == reply.RootId && q.FirstReplyAt == null, ct);
        if (question is not null && question.AskerId != reply.AuthorId) question.FirstReplyAt = now;
    }

    public async Task<Outcome<QuestionDetails?>> SetBestAnswerAsync(Viewer viewer, string id, BestAnswerRequest? request, bool set, CancellationToken ct)
    {
        var found = await access.FindAsync(viewer, id, PostKinds.Question, "The question", ct);
        if (!found.Ok) return found.Problem!;
        var post = found.Value!;
        var question = await db.Set<Question>().FirstAsync(q => q.PostId == post.Id, ct);
        if (question.AskerId != viewer.Id && !await access.CanManageAsync(viewer, post.GroupId, ct))
            return Problem.Forbidden("Only the asker and the group's admins choose the best answer.");
        long? replyId = null;
        if (set)
        {
            if (!long.TryParse(request?.ReplyId, out var rid)) return Problem.Invalid("replyId", "is required: the id of a reply in this question's thread.");
            var isReply = await db.Posts.VisibleTo(viewer).AnyAsync(p => p.Id == rid && p.RootId == post.Id && p.Id != post.Id, ct);
            if (!isReply) return Problem.Invalid("replyId", "is not a reply in this question's thread.");
            replyId = rid;
        }
        if (question.BestAnswerId != replyId)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            question.BestAnswerId = replyId;
            question.AnsweredAt = replyId is null ? null : now;
            access.Touch(viewer, post, now);
            await db.SaveChangesAsync(ct);
        }
        return Details(post, question);
    }

    /// <summary>Questions the viewer can see, newest first: all of them, or one group's (1 = the all-company group).</summary>
    public async Task<Outcome<Page<PostDto>>> ListAsync(Viewer viewer, string? state, string? groupId, string? cursor, int? limit, CancellationToken ct)
    {
        var n = limit ?? FeedService.DefaultLimit;
        if (n is < 1 or > FeedService.MaxLimit) return Problem.BadRequest("limit", $"must be between 1 and {FeedService.MaxLimit}.");
        var before = long.MaxValue;
        if (cursor is not null && (!long.TryParse(cursor, out before) || before <= 0)) return Problem.BadRequest("cursor", "is not a cursor this server issued.");
        var questions = db.Set<Question>().AsQueryable();
        switch (state?.Trim().ToLowerInvariant())
        {
            case null or "" or "all": break;
            case "unanswered": questions = questions.Where(q => q.BestAnswerId == null); break;
            case "answered": questions = questions.Where(q => q.BestAnswerId != null); break;
            default: return Problem.Invalid("state", "must be unanswered, answered or all.");
        }
        var roots = db.Posts.VisibleTo(viewer).Where(p => p.Kind == PostKinds.Question && p.Id < before);
        if (!string.IsNullOrWhiteSpace(groupId))
        {
            if (!long.TryParse(groupId, out var gid)) return Problem.Invalid("groupId", "is not a group id.");
            roots = gid == Group.CompanyId ? roots.Where(p => p.GroupId == null) : roots.Where(p => p.GroupId == gid);
        }
        var ids = await (from p in roots join q in questions on p.Id equals q.PostId orderby p.Id descending select p.Id).Take(n + 1).ToListAsync(ct);
        var page = ids.Take(n).ToList();
        var found = await db.Posts.AsNoTracking().Where(p => page.Contains(p.Id)).OrderByDescending(p => p.Id).ToListAsync(ct);
        return new Page<PostDto>(await renderer.RenderAsync(found, viewer, ct), ids.Count > n ? page[^1].ToString() : null);
    }

    public static QuestionDetails Details(Post post, Question q) => new(
        q.BestAnswerId is not null, q.BestAnswerId?.ToString(), q.FirstReplyAt, Seconds(post.CreatedAt, q.FirstReplyAt),
        q.AnsweredAt, Seconds(post.CreatedAt, q.AnsweredAt));

    static long? Seconds(DateTime start, DateTime? end) => end is { } e ? (long)Math.Max(0, (e - start).TotalSeconds) : null;
}
