using System.Linq.Expressions;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;

namespace Chorus.Server.Features.Posts;

/// <summary>
/// THE rule for who may see a post. Every read path — REST, feeds, threads, profiles, topic pages, and later
/// streams, notifications, search and exports — filters with <see cref="VisibleTo"/> (in SQL) or checks with
/// <see cref="CanSee"/> (in memory); both come from the one <see cref="Definition"/>.
/// <para>A post that is not deleted is visible to every member of the organization when it is in the all-company
/// group or a public group, and to the members of its group otherwise (private and secret groups). Guests are not
/// members of the organization: they see posts of their own groups only. Replies and shares carry their thread's
/// or original's group and audience, so a reply cannot expose a private parent and a share never widens an
/// audience. Deactivated people cannot sign in, so they see nothing; their posts stay visible.</para>
/// </summary>
public static class PostVisibility
{
    static readonly Expression<Func<Viewer, Post, bool>> Definition =
        (viewer, p) => p.DeletedAt == null &&
                       ((!p.MembersOnly && !viewer.IsGuest) || (p.GroupId != null && viewer.Groups.Contains(p.GroupId.Value)));

    static readonly Func<Viewer, Post, bool> Compiled = Definition.Compile();

    public static Expression<Func<Post, bool>> Rule(Viewer viewer)
    {
        // Bind the viewer as a member of a closure object so EF sends it as query parameters, not literals.
        var holder = Expression.Field(Expression.Constant(new ViewerHolder(viewer)), nameof(ViewerHolder.Value));
        var body = new Substitute(Definition.Parameters[0], holder).Visit(Definition.Body);
        return Expression.Lambda<Func<Post, bool>>(body, Definition.Parameters[1]);
    }

    public static IQueryable<Post> VisibleTo(this IQueryable<Post> posts, Viewer viewer) => posts.Where(Rule(viewer));

    public static bool CanSee(this Viewer viewer, Post post) => Compiled(viewer, post);

    /// <summary>
    /// A post of the group as the rule sees it (no text): what group content other than posts — pages, files, the
    /// group's stream events — is judged by, so the group has no rule of its own.
    /// </summary>
    public static Post AudienceOf(Group group) => new() { Text = "", Html = "", GroupId = group.Id, MembersOnly = group.MembersOnly };

    sealed class ViewerHolder(Viewer value)
    {
        public readonly Viewer Value = value;
    }

    sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
