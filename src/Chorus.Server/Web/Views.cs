using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;

namespace Chorus.Server.Web;

/// <summary>What the post card partial needs besides the post: where it sits in a thread and how prominent it is.</summary>
public sealed record PostCardView(PostDto Post, int Depth = 0, bool Focus = false, bool Embedded = false);

/// <summary>A page of posts and the address that continues it (the cursor is appended).</summary>
public sealed record FeedView(Page<PostDto> Page, string MoreHref, string EmptyText);

/// <summary>A page of people and the address that continues it.</summary>
public sealed record PeopleView(IReadOnlyList<PersonSummary> People, string? MoreHref);

/// <summary>The composer: a new post on Home, or a reply in a thread. Text and error survive a failed post.</summary>
public sealed record ComposerView(string Id, string Action, string Label, string Placeholder, string Button, string? ReplyTo = null, string? Text = null, string? Error = null, string? GroupId = null);

public static class PersonViews
{
    public static PersonSummary Summary(this PersonDto p) => new(p.Id, p.Handle, p.DisplayName, p.JobTitle, p.Department, p.AvatarUrl, p.Active);
}

/// <summary>A form field's own error message, shown under the field and named by its aria-describedby.</summary>
public sealed record FieldErrorView(string Id, string? Message);
