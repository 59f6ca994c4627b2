using Chorus.Server.Features.Files;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;

namespace Chorus.Server.Features.GroupPages;

/// <param name="Slug">The page's address within the group; made from the title when omitted.</param>
public sealed record CreatePageRequest(string? Title, string? Body, string? Slug = null, IReadOnlyList<string>? FileIds = null);

/// <param name="BaseRevision">The revision the edit started from; the save is refused with 409 if someone saved since.</param>
public sealed record SavePageRequest(string? Title, string? Body, int? BaseRevision, IReadOnlyList<string>? FileIds = null);

public sealed record RestorePageRequest(int? BaseRevision = null);

public sealed record PageSummaryDto(string Id, string Slug, string Title, int Revision, PersonSummary UpdatedBy, DateTime UpdatedAt, string Url);

public sealed record PageDto(
    string Id, string GroupId, string Slug, string Title, string Body, string Html, int Revision,
    PersonSummary CreatedBy, DateTime CreatedAt, PersonSummary UpdatedBy, DateTime UpdatedAt, string Url, IReadOnlyList<FileDto> Files);

public sealed record PageRevisionDto(int Number, string Title, PersonSummary Author, DateTime CreatedAt, int? RestoredFrom, bool Current,
    string? Body = null, string? Html = null);

public sealed record DiffLine(string Op, string Text);

public sealed record PageDiffDto(int From, int To, IReadOnlyList<DiffLine> Lines, int Added, int Removed);

public sealed record FaqEntryRequest(string? Question, string? Answer);
public sealed record FaqOrderRequest(IReadOnlyList<string>? Ids);
public sealed record FaqEntryDto(string Id, int Position, string Question, string Answer, string AnswerHtml, DateTime CreatedAt, DateTime? UpdatedAt);
public sealed record FaqDto(IReadOnlyList<FaqEntryDto> Entries, bool CanEdit);

/// <param name="CoverFileId">An image from the group's file library.</param>
public sealed record CreateArticleRequest(string? Title, string? Body, string? CoverFileId = null, IReadOnlyList<string>? FileIds = null);

/// <summary>What an article post carries in <see cref="PostDto.Details"/>: enough for a card in a feed.</summary>
public sealed record ArticleCard(string Title, string Excerpt, string? CoverUrl, string Url);

public sealed record ArticleSummaryDto(string Id, string Title, string Excerpt, string? CoverUrl, PersonSummary Author, DateTime CreatedAt, int ReplyCount, string Url);

public sealed record ArticleDto(string Id, string GroupId, string Title, string Body, string Html, string? CoverUrl, PostDto Post, IReadOnlyList<FileDto> Files, string Url);
