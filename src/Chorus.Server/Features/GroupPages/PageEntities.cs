using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Data;

public sealed class GroupPage
{
    public long Id { get; set; }
    public long GroupId { get; set; }
    public required string Slug { get; set; }
    public required string Title { get; set; }
    /// <summary>The Markdown source of the current revision.</summary>
    public required string Body { get; set; }
    /// <summary>Sanitized HTML of the body, rendered at write time.</summary>
    public required string Html { get; set; }
    /// <summary>The current revision's number: the optimistic-concurrency token of a save.</summary>
    public int Revision { get; set; }
    public long CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public long UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class PageRevision
{
    public long PageId { get; set; }
    public int Number { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public long AuthorId { get; set; }
    public DateTime CreatedAt { get; set; }
    public int? RestoredFrom { get; set; }
}

public sealed class FaqEntry
{
    public long Id { get; set; }
    public long GroupId { get; set; }
    public int Position { get; set; }
    public required string Question { get; set; }
    public required string Answer { get; set; }
    public required string AnswerHtml { get; set; }
    public long CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}

public sealed class Article
{
    public long PostId { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public required string Html { get; set; }
    /// <summary>Plain-text opening of the body, for cards in feeds and lists.</summary>
    public required string Excerpt { get; set; }
    public long? CoverFileId { get; set; }
}

public sealed class StoredFile
{
    public long Id { get; set; }
    /// <summary>The group whose library holds the file (the all-company group's id for company files).</summary>
    public long GroupId { get; set; }
    public long UploaderId { get; set; }
    public required string Name { get; set; }
    /// <summary>Decided from the bytes at upload, never from the name or the client's header.</summary>
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    /// <summary>32 hex digits of randomness: the file's name on disk.</summary>
    public required string StorageKey { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A post or a page that uses a file; exactly one of the two is set.</summary>
public sealed class FileUse
{
    public long Id { get; set; }
    public long FileId { get; set; }
    public long? PostId { get; set; }
    public long? PageId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The mapping of the group-content tables, called from <see cref="ChorusDb"/> so that feature keeps its tables together.</summary>
public static class GroupContentModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<GroupPage>(e =>
        {
            e.ToTable("group_pages");
            e.Property(p => p.Id).ValueGeneratedNever();
            // A save succeeds only if nobody saved since the revision it was based on.
            e.Property(p => p.Revision).IsConcurrencyToken();
        });
        b.Entity<PageRevision>(e => { e.ToTable("page_revisions"); e.HasKey(r => new { r.PageId, r.Number }); });
        b.Entity<FaqEntry>(e => { e.ToTable("faq_entries"); e.Property(f => f.Id).ValueGeneratedNever(); });
        b.Entity<Article>(e => { e.ToTable("articles"); e.HasKey(a => a.PostId); e.Property(a => a.PostId).ValueGeneratedNever(); });
        b.Entity<StoredFile>(e => { e.ToTable("files"); e.Property(f => f.Id).ValueGeneratedNever(); });
        b.Entity<FileUse>(e => { e.ToTable("file_uses"); e.Property(f => f.Id).ValueGeneratedNever(); });

        // Insert order within one SaveChanges: the post before its article, the page before its revisions and uses.
        b.Entity<Article>().HasOne<Post>().WithOne().HasForeignKey<Article>(a => a.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PageRevision>().HasOne<GroupPage>().WithMany().HasForeignKey(r => r.PageId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<FileUse>().HasOne<Post>().WithMany().HasForeignKey(u => u.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<FileUse>().HasOne<GroupPage>().WithMany().HasForeignKey(u => u.PageId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<FileUse>().HasOne<StoredFile>().WithMany().HasForeignKey(u => u.FileId).OnDelete(DeleteBehavior.Restrict);
    }
}
