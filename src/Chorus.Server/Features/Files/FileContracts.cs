using Chorus.Server.Features.People;

namespace Chorus.Server.Features.Files;

public sealed record AttachFilesRequest(IReadOnlyList<string>? FileIds);

/// <summary>A post or page that uses a file, as the viewer may see it.</summary>
public sealed record FileUseDto(string Kind, string Id, string Title, string Url);

public sealed record FileDto(
    string Id, string GroupId, string Name, string ContentType, long Size, int? Width, int? Height, string Url,
    PersonSummary Uploader, DateTime CreatedAt, IReadOnlyList<FileUseDto> UsedBy);
