using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Data;

/// <summary>The one DbContext. The schema itself comes from the SQL scripts in Data/Migrations, per database.</summary>
public sealed class ChorusDb(DbContextOptions<ChorusDb> options) : DbContext(options)
{
    public DbSet<Person> People => Set<Person>();
    public DbSet<Avatar> Avatars => Set<Avatar>();
    public DbSet<Credential> Credentials => Set<Credential>();
    public DbSet<SetupToken> SetupTokens => Set<SetupToken>();
    public DbSet<Post> Posts => Set<Post>();
    public DbSet<PostRevision> PostRevisions => Set<PostRevision>();
    public DbSet<Reaction> Reactions => Set<Reaction>();
    public DbSet<Topic> Topics => Set<Topic>();
    public DbSet<PostTopic> PostTopics => Set<PostTopic>();
    public DbSet<PostMention> PostMentions => Set<PostMention>();
    public DbSet<Follow> Follows => Set<Follow>();
    public DbSet<TopicFollow> TopicFollows => Set<TopicFollow>();
    public DbSet<ChangeEvent> Events => Set<ChangeEvent>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<ThreadMute> ThreadMutes => Set<ThreadMute>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<GroupPage> GroupPages => Set<GroupPage>();
    public DbSet<PageRevision> PageRevisions => Set<PageRevision>();
    public DbSet<FaqEntry> FaqEntries => Set<FaqEntry>();
    public DbSet<Article> Articles => Set<Article>();
    public DbSet<StoredFile> Files => Set<StoredFile>();
    public DbSet<FileUse> FileUses => Set<FileUse>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Person>(e =>
        {
            e.ToTable("people");
            e.Property(p => p.Id).ValueGeneratedNever();
            e.Ignore(p => p.IsActive);
        });
        b.Entity<Avatar>(e => { e.ToTable("avatars"); e.HasKey(a => a.PersonId); });
        b.Entity<Credential>(e => { e.ToTable("credentials"); e.Property(c => c.Id).ValueGeneratedNever(); });
        b.Entity<SetupToken>(e => { e.ToTable("setup_tokens"); e.HasKey(t => t.SecretHash); });
        b.Entity<Post>(e => { e.ToTable("posts"); e.Property(p => p.Id).ValueGeneratedNever(); });
        b.Entity<PostRevision>(e => { e.ToTable("post_revisions"); e.Property(p => p.Id).ValueGeneratedNever(); });
        b.Entity<Reaction>(e => { e.ToTable("reactions"); e.HasKey(r => new { r.PostId, r.PersonId, r.Kind }); });
        b.Entity<Topic>(e => { e.ToTable("topics"); e.Property(t => t.Id).ValueGeneratedNever(); });
        b.Entity<PostTopic>(e => { e.ToTable("post_topics"); e.HasKey(t => new { t.TopicId, t.PostId }); });
        b.Entity<PostMention>(e => { e.ToTable("post_mentions"); e.HasKey(m => new { m.PostId, m.PersonId }); });
        b.Entity<Follow>(e => { e.ToTable("follows"); e.HasKey(f => new { f.FollowerId, f.FolloweeId }); });
        b.Entity<TopicFollow>(e => { e.ToTable("topic_follows"); e.HasKey(f => new { f.PersonId, f.TopicId }); });
        b.Entity<ChangeEvent>(e => { e.ToTable("events"); e.Property(x => x.Id).ValueGeneratedOnAdd(); });
        b.Entity<Notification>(e => { e.ToTable("notifications"); e.Property(n => n.Id).ValueGeneratedNever(); });
        b.Entity<NotificationPreference>(e => { e.ToTable("notification_preferences"); e.HasKey(n => new { n.PersonId, n.Kind }); });
        b.Entity<ThreadMute>(e => { e.ToTable("thread_mutes"); e.HasKey(m => new { m.PersonId, m.RootId }); });
        b.Entity<Group>(e => { e.ToTable("groups"); e.Property(g => g.Id).ValueGeneratedNever(); e.Ignore(g => g.MembersOnly); });
        b.Entity<GroupMember>(e => { e.ToTable("group_members"); e.HasKey(m => new { m.GroupId, m.PersonId }); });
        b.Entity<Infrastructure.DataProtectionKey>(e => { e.ToTable("data_protection_keys"); e.Property(x => x.Id).ValueGeneratedOnAdd(); });

        // Foreign keys without navigation properties: they tell EF the order in which to insert rows in one SaveChanges.
        b.Entity<Person>().HasOne<Person>().WithMany().HasForeignKey(p => p.ManagerId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Avatar>().HasOne<Person>().WithOne().HasForeignKey<Avatar>(a => a.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Credential>().HasOne<Person>().WithMany().HasForeignKey(c => c.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Post>().HasOne<Person>().WithMany().HasForeignKey(p => p.AuthorId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Post>().HasOne<Post>().WithMany().HasForeignKey(p => p.ReplyToId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Post>().HasOne<Post>().WithMany().HasForeignKey(p => p.ShareOfId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PostRevision>().HasOne<Post>().WithMany().HasForeignKey(r => r.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Reaction>().HasOne<Post>().WithMany().HasForeignKey(r => r.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Reaction>().HasOne<Person>().WithMany().HasForeignKey(r => r.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PostTopic>().HasOne<Post>().WithMany().HasForeignKey(t => t.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PostTopic>().HasOne<Topic>().WithMany().HasForeignKey(t => t.TopicId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PostMention>().HasOne<Post>().WithMany().HasForeignKey(m => m.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<PostMention>().HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Follow>().HasOne<Person>().WithMany().HasForeignKey(f => f.FollowerId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Follow>().HasOne<Person>().WithMany().HasForeignKey(f => f.FolloweeId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<TopicFollow>().HasOne<Person>().WithMany().HasForeignKey(f => f.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<TopicFollow>().HasOne<Topic>().WithMany().HasForeignKey(f => f.TopicId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Notification>().HasOne<Person>().WithMany().HasForeignKey(n => n.RecipientId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Notification>().HasOne<Person>().WithMany().HasForeignKey(n => n.ActorId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Notification>().HasOne<Post>().WithMany().HasForeignKey(n => n.PostId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<NotificationPreference>().HasOne<Person>().WithMany().HasForeignKey(n => n.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<GroupMember>().HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<GroupMember>().HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<ThreadMute>().HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Restrict);

        Features.PostTypes.PostTypeModel.Configure(b);
        GroupContentModel.Configure(b);

        // Column names are snake_case in both scripts; enums are stored as integers.
        foreach (var entity in b.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase(property.Name));
    }

    static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
