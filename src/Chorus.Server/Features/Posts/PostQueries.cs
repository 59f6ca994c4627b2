using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Posts;

/// <summary>Reading single posts, threads and edit histories, always through <see cref="PostVisibility"/>.</summary>
public sealed class PostQueries(RequestDb requestDb, PostRenderer renderer)
{
    ChorusDb db => requestDb.Context;

    public const int MaxThreadPosts = 500;

    public Task<Post?> FindVisibleAsync(Viewer viewer, long id, CancellationToken ct) =>
        db.Posts.AsNoTracking().VisibleTo(viewer).FirstOrDefaultAsync(p => p.Id == id, ct);

    /// <summary>One post, rendered for the viewer, or null when there is none they may see (the post's view from
    /// memory, checked with the one visibility rule).</summary>
    public async Task<PostDto?> GetAsync(Viewer viewer, long id, CancellationToken ct)
    {
        var views = await renderer.ViewsAsync([id], ct);
        return views.TryGetValue(id, out var view) && viewer.CanSee(view.Post) ? (await renderer.RenderAsync([view], viewer, ct))[0] : null;
    }

    /// <summary>
    /// The whole conversation a post belongs to, oldest first. A reply whose root the viewer cannot see yields
    /// nothing: a visible reply must never expose a hidden parent.
    /// </summary>
    public async Task<ThreadDto?> ThreadAsync(Viewer viewer, long id, CancellationToken ct)
    {
        var post = await FindVisibleAsync(viewer, id, ct);
        if (post is null) return null;
        var root = post.RootId == post.Id ? post : await FindVisibleAsync(viewer, post.RootId, ct);
        if (root is null) return null;
        var replies = await db.Posts.AsNoTracking().VisibleTo(viewer)
            .Where(p => p.RootId == root.Id && p.Id != root.Id).OrderBy(p => p.Id).Take(MaxThreadPosts).ToListAsync(ct);
        // The rule is applied to the rows just read and again to the views shown (which may come from memory).
        var views = await renderer.ViewsAsync([root.Id, .. replies.Select(r => r.Id)], ct);
        if (!views.TryGetValue(root.Id, out var rootView) || !viewer.CanSee(rootView.Post)) return null;
        var shown = new List<PostView>(replies.Count + 1) { rootView };
        foreach (var r in replies)
            if (views.TryGetValue(r.Id, out var v) && viewer.CanSee(v.Post)) shown.Add(v);
        var rendered = await renderer.RenderAsync(shown, viewer, ct);
        return new ThreadDto(rendered[0], rendered.Skip(1).ToList(), id == root.Id ? null : id.ToString());
    }

    public async Task<IReadOnlyList<RevisionDto>?> HistoryAsync(Viewer viewer, long id, CancellationToken ct)
    {
        var post = await FindVisibleAsync(viewer, id, ct);
        if (post is null) return null;
        var old = await db.PostRevisions.AsNoTracking().Where(r => r.PostId == id).OrderByDescending(r => r.Id).ToListAsync(ct);
        return [new RevisionDto(post.Text, post.Html, post.EditedAt ?? post.CreatedAt, true),
            .. old.Select(r => new RevisionDto(r.Text, r.Html, r.WrittenAt, false))];
    }

    public static Outcome<long> ParseId(string? id, string field = "id") =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : Problem.NotFound("The post");
}
