namespace Chorus.Server.Features.Realtime;

public enum StreamKeyKind : byte { Company, Author, Topic, Thread, Person, Group }

/// <summary>
/// A routing key: what an event is about, and what a connection listens to. An event reaches exactly the
/// connections subscribed to one of its keys — work per event grows with its audience, not with all connections.
/// A struct, not a string: a connection that follows 500 people holds 500 of these.
/// </summary>
public readonly record struct StreamKey(StreamKeyKind Kind, long Id)
{
    public static readonly StreamKey Company = new(StreamKeyKind.Company, 0);
    public static StreamKey Author(long personId) => new(StreamKeyKind.Author, personId);
    public static StreamKey Topic(long topicId) => new(StreamKeyKind.Topic, topicId);
    public static StreamKey Thread(long rootId) => new(StreamKeyKind.Thread, rootId);
    /// <summary>A group's posts; the all-company group's posts use <see cref="Company"/>.</summary>
    public static StreamKey Group(long groupId) => new(StreamKeyKind.Group, groupId);
    /// <summary>Events for one person only: notifications, follow changes, revocations.</summary>
    public static StreamKey Person(long personId) => new(StreamKeyKind.Person, personId);
}
