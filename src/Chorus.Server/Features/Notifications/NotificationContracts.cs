using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;

namespace Chorus.Server.Features.Notifications;

/// <summary>
/// One item of the notification list: a single notification, or several reactions, shares or follows collapsed
/// into one ("Ada and 4 others reacted to your post"). Ids lists every notification in it, for marking read.
/// </summary>
public sealed record NotificationDto(
    IReadOnlyList<string> Ids, string Kind, IReadOnlyList<PersonSummary> Actors, int ActorCount, PostDto? Post,
    DateTime CreatedAt, bool Read, string Text);

/// <summary>Either ids (at most 500) or all: true.</summary>
public sealed record MarkReadRequest(IReadOnlyList<string>? Ids = null, bool? All = null);

public sealed record UnreadCount(int Count);

public sealed record ReadResult(int UnreadCount);

public sealed record MuteState(string PostId, string RootId, bool Muted);

public sealed record MutedThread(string RootId, PostDto Root, DateTime MutedAt);
