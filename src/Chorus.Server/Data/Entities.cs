namespace Chorus.Server.Data;

/// <summary>Guests come from outside the organization and see only the groups they were invited into.</summary>
public enum PersonRole { Member = 0, Admin = 1, Guest = 2 }

public sealed class Person
{
    public long Id { get; set; }
    public required string Handle { get; set; }
    /// <summary>Lower-cased handle: unique, used for look-ups so that @Ada and @ada are one person.</summary>
    public required string HandleKey { get; set; }
    public required string DisplayName { get; set; }
    public required string Email { get; set; }
    public required string EmailKey { get; set; }
    public string? JobTitle { get; set; }
    public string? Department { get; set; }
    public string? Location { get; set; }
    public long? ManagerId { get; set; }
    public string? Bio { get; set; }
    public PersonRole Role { get; set; }
    public DateTime? DeactivatedAt { get; set; }
    public string? PasswordHash { get; set; }
    public int FailedSignIns { get; set; }
    public DateTime? LockedUntil { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Lower-cased "name handle title" for directory search with one LIKE on both databases.</summary>
    public required string SearchText { get; set; }
    /// <summary>Changes whenever the avatar changes, so avatar URLs can be cached forever.</summary>
    public long? AvatarVersion { get; set; }

    public bool IsActive => DeactivatedAt is null;
}

public sealed class Avatar
{
    public long PersonId { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Data { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum CredentialKind { Session = 0, Token = 1 }

/// <summary>A browser session or a personal access token. Only a SHA-256 hash of the secret is stored.</summary>
public sealed class Credential
{
    public long Id { get; set; }
    public long PersonId { get; set; }
    public CredentialKind Kind { get; set; }
    public required string Name { get; set; }
    public required string SecretHash { get; set; }
    /// <summary>"read" or "read write".</summary>
    public required string Scopes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

public sealed class SetupToken
{
    public required string SecretHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

public sealed class Post
{
    public long Id { get; set; }
    public long AuthorId { get; set; }
    /// <summary>The Markdown source as written (empty for a share without comment).</summary>
    public required string Text { get; set; }
    /// <summary>Sanitized HTML rendered once at write time.</summary>
    public required string Html { get; set; }
    public long? ReplyToId { get; set; }
    /// <summary>The first post of the thread; equals Id for a thread's root.</summary>
    public long RootId { get; set; }
    public long? ShareOfId { get; set; }
    /// <summary>The group the post belongs to; null means the all-company group.</summary>
    public long? GroupId { get; set; }
    /// <summary>Only the group's members may read it (private and secret groups); copied from the group, see PostVisibility.</summary>
    public bool MembersOnly { get; set; }
    /// <summary>post, announcement, question, poll, praise, event or article (see <c>PostKinds</c>).</summary>
    public string Kind { get; set; } = "post";
    public DateTime CreatedAt { get; set; }
    public DateTime? EditedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

public sealed class PostRevision
{
    public long Id { get; set; }
    public long PostId { get; set; }
    public required string Text { get; set; }
    public required string Html { get; set; }
    /// <summary>When this text was written (the post's creation or an earlier edit).</summary>
    public DateTime WrittenAt { get; set; }
}

public sealed class Reaction
{
    public long PostId { get; set; }
    public long PersonId { get; set; }
    public required string Kind { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Topic
{
    public long Id { get; set; }
    public required string Tag { get; set; }
    public required string TagKey { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class PostTopic
{
    public long PostId { get; set; }
    public long TopicId { get; set; }
}

public sealed class PostMention
{
    public long PostId { get; set; }
    public long PersonId { get; set; }
}

public sealed class Follow
{
    public long FollowerId { get; set; }
    public long FolloweeId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class TopicFollow
{
    public long PersonId { get; set; }
    public long TopicId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// One row per change, written in the same transaction as the change. Live streams (and later webhooks,
/// notifications, audit) read from here, so nothing is announced that did not commit and nothing that
/// committed is lost.
/// </summary>
public sealed class ChangeEvent
{
    public long Id { get; set; }
    public required string Kind { get; set; }
    public long ActorId { get; set; }
    public long? PostId { get; set; }
    /// <summary>The one person an event is for (a notification, a revoked credential), or null.</summary>
    public long? PersonId { get; set; }
    public string? Data { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Position in the stream, assigned after commit by the sequencer; null until then.</summary>
    public long? Seq { get; set; }
}

/// <summary>Something that happened to a person: a mention, a reply, a reaction, a share of their post, a new follower.</summary>
public sealed class Notification
{
    public long Id { get; set; }
    public long RecipientId { get; set; }
    /// <summary>mention, reply, reaction, share or follow (see <c>NotificationKinds</c>).</summary>
    public required string Kind { get; set; }
    public long ActorId { get; set; }
    public long? PostId { get; set; }
    /// <summary>The thread the post belongs to, so a muted thread can be left out.</summary>
    public long? RootId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }
}

public sealed class NotificationPreference
{
    public long PersonId { get; set; }
    public required string Kind { get; set; }
    public bool Enabled { get; set; }
}

public sealed class ThreadMute
{
    public long PersonId { get; set; }
    public long RootId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum GroupKind { Public = 0, Private = 1, Secret = 2, Company = 3 }

public sealed class Group
{
    /// <summary>The all-company group: every member belongs, guests never; its posts are stored with a null group id.</summary>
    public const long CompanyId = 1;

    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-cased name: unique among groups that exist.</summary>
    public required string NameKey { get; set; }
    public required string Description { get; set; }
    public GroupKind Kind { get; set; }
    public long CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }

    /// <summary>Only members read its content (private, secret).</summary>
    public bool MembersOnly => IsMembersOnly(Kind);

    /// <summary>Whether only members read the posts of a group of this kind.</summary>
    public static bool IsMembersOnly(GroupKind kind) => kind is GroupKind.Private or GroupKind.Secret;
}

public enum MembershipState { Member = 0, Invited = 1, Requested = 2 }

public enum GroupRole { Member = 0, Admin = 1, Owner = 2 }

/// <summary>A person's relation to a group: a member, an open invitation, or a join request. Leaving deletes it.</summary>
public sealed class GroupMember
{
    public long GroupId { get; set; }
    public long PersonId { get; set; }
    public MembershipState State { get; set; }
    public GroupRole Role { get; set; }
    /// <summary>Whether the group's posts appear in this member's home feed.</summary>
    public bool ShowInHome { get; set; } = true;
    public long? InvitedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? JoinedAt { get; set; }
}
