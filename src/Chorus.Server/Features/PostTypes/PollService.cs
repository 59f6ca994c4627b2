using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.PostTypes;

/// <summary>Polls: 2–10 options, single or multiple choice, one vote per person that may be changed until the poll closes.</summary>
public sealed class PollService(ChorusDb db, PostService posts, PostTypeAccess access, TimeProvider clock)
{
    public const int MinOptions = 2, MaxOptions = 10, MaxOptionLength = 200;

    public Task<Outcome<Post>> CreateAsync(Viewer viewer, string groupId, CreatePollRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (Check(request, now) is { } problem) return Task.FromResult<Outcome<Post>>(problem);
        return posts.CreateAsync(viewer, new CreatePostRequest(request.Text, null, groupId), PostKinds.Poll, (post, _) =>
        {
            db.Add(new Poll { PostId = post.Id, Multiple = request.Multiple, ClosesAt = request.ClosesAt?.ToUniversalTime() });
            for (var i = 0; i < request.Options!.Count; i++)
                db.Add(new PollOption { PostId = post.Id, Position = i, Text = request.Options[i]!.Trim() });
            return Task.FromResult<Problem?>(null);
        }, ct);
    }

    static Problem? Check(CreatePollRequest request, DateTime now)
    {
        var options = request.Options;
        if (options is null || options.Count is < MinOptions or > MaxOptions)
            return Problem.Invalid("options", $"must have between {MinOptions} and {MaxOptions} options (it has {options?.Count ?? 0}).");
        for (var i = 0; i < options.Count; i++)
        {
            var length = options[i]?.Trim().EnumerateRunes().Count() ?? 0;
            if (length is < 1 or > MaxOptionLength) return Problem.Invalid($"options[{i}]", $"must be 1 to {MaxOptionLength} characters (it has {length}).");
        }
        if (options.Select(o => o!.Trim().ToLowerInvariant()).Distinct().Count() != options.Count)
            return Problem.Invalid("options", "must all be different.");
        if (request.ClosesAt is { } closes)
        {
            var utc = closes.ToUniversalTime();
            if (utc <= now) return Problem.Invalid("closesAt", "must be in the future.");
            if (utc > now.AddYears(1)) return Problem.Invalid("closesAt", "must be at most a year from now.");
        }
        return null;
    }

    /// <summary>
    /// POST (<paramref name="replace"/> false) casts a first vote and answers 409 if you already voted; PUT replaces
    /// your vote. Voting after the poll closed is a 409 either way.
    /// </summary>
    public async Task<Outcome<PollDetails>> VoteAsync(Viewer viewer, string id, VoteRequest request, bool replace, CancellationToken ct)
    {
        var found = await access.FindAsync(viewer, id, PostKinds.Poll, "The poll", ct);
        if (!found.Ok) return found.Problem!;
        var post = found.Value!;
        var poll = await db.Set<Poll>().AsNoTracking().FirstAsync(p => p.PostId == post.Id, ct);
        var optionCount = await db.Set<PollOption>().CountAsync(o => o.PostId == post.Id, ct);
        var chosen = request.Options ?? [];
        if (chosen.Count == 0) return Problem.Invalid("options", "must name at least one option index.");
        if (chosen.Any(i => i < 0 || i >= optionCount)) return Problem.Invalid("options", $"must be option indexes from 0 to {optionCount - 1}.");
        if (chosen.Distinct().Count() != chosen.Count) return Problem.Invalid("options", "must not repeat an option.");
        if (!poll.Multiple && chosen.Count > 1) return Problem.Invalid("options", "This poll is single-choice: choose exactly one option.");
        var now = clock.GetUtcNow().UtcDateTime;
        if (poll.ClosesAt is { } closes && closes <= now) return Problem.Conflict("poll-closed", "The poll has closed; votes can no longer be cast or changed.");

        var mine = await db.Set<PollVote>().Where(v => v.PostId == post.Id && v.PersonId == viewer.Id).ToListAsync(ct);
        if (mine.Count > 0 && !replace) return Problem.Conflict("already-voted", "You already voted in this poll; PUT your vote to change it.");
        db.RemoveRange(mine);
        foreach (var i in chosen) db.Add(new PollVote { PostId = post.Id, PersonId = viewer.Id, Position = i, VotedAt = now });
        access.Touch(viewer, post, now);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            // Two first votes by one person raced; the other one counted.
            db.ChangeTracker.Clear();
            return Problem.Conflict("already-voted", "You already voted in this poll; PUT your vote to change it.");
        }
        return (await PollDetailsRenderer.RenderAsync(db, [post], viewer, now, ct))[post.Id];
    }
}
