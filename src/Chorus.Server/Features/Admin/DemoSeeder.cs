using System.Globalization;
using System.Text;
using Chorus.Server.Data;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Admin;

public sealed record SeedResult(int People, int Posts, int Reactions, int Follows);

public sealed record SeedProgress(string Stage, int Done, int Total);

/// <summary>
/// The demo organization: ~400 people in 10 departments under one CEO, a follow graph where leaders are widely
/// followed, and ~3,000 posts over the last 30 days with mentions, topics, replies, reactions and shares.
/// Deterministic: the same seed gives the same people, graph and text (only timestamps move with "now").
/// </summary>
public sealed class DemoSeeder(ChorusDb db, IdGenerator ids, TimeProvider clock, IPasswordHasher<Person> hasher)
{
    public const int PeopleCount = 400, PostCount = 3000, Days = 30;

    public async Task<SeedResult> SeedAsync(string password, IProgress<SeedProgress>? progress, CancellationToken ct, int peopleCount = PeopleCount, int postCount = PostCount)
    {
        if (await db.People.AnyAsync(ct)) throw new InvalidOperationException("The demo organization is only seeded into an empty database.");
        var rng = new Random(20261122);
        var now = clock.GetUtcNow().UtcDateTime;
        var start = now.AddDays(-Days);
        // One hash for every demo account: hashing 400 passwords would take tens of seconds, and these are demo passwords.
        var hash = hasher.HashPassword(null!, password);

        // One place is kept for the guest from a partner company (DemoGroups).
        var people = BuildPeople(rng, peopleCount - 1, start, hash);
        progress?.Report(new SeedProgress("people", people.Count, people.Count));
        var follows = BuildFollows(rng, people, start);
        // After the follows: the guest follows nobody and nobody follows the guest.
        var communities = DemoGroups.Build(rng, people, hash, start, now, ids);
        progress?.Report(new SeedProgress("follows", follows.Count, follows.Count));

        var known = people.ToDictionary(p => p.HandleKey, p => p.Handle);
        var byKey = people.ToDictionary(p => p.HandleKey, p => p.Id);
        var topicIds = new Dictionary<string, Topic>();
        var posts = new List<Post>(postCount);
        var postTopics = new List<PostTopic>();
        var mentions = new List<PostMention>();
        var reactions = new List<Reaction>();

        // Post times spread over the window, denser on weekdays and working hours; ids follow time order.
        var times = Enumerable.Range(0, postCount).Select(_ => RandomWorkTime(rng, start, now)).Order().ToList();
        var authorsWeighted = people.SelectMany(p => Enumerable.Repeat(p, Weight(p, people))).ToList();
        for (var i = 0; i < postCount; i++)
        {
            var at = times[i];
            var author = authorsWeighted[rng.Next(authorsWeighted.Count)];
            var roll = rng.NextDouble();
            var recent = posts.Where(p => p.ShareOfId is null && (at - p.CreatedAt).TotalDays < 4).ToList();
            Post post;
            if (roll < 0.32 && recent.Count > 0)
            {
                var parent = recent[Math.Min(recent.Count - 1, (int)(recent.Count * Math.Sqrt(rng.NextDouble())))];
                var text = Fill(DemoContent.Replies[rng.Next(DemoContent.Replies.Length)], rng, people, author);
                post = NewPost(author, text, at, parent.Id, parent.RootId, null);
            }
            else if (roll < 0.37 && recent.Count > 0)
            {
                var target = recent[rng.Next(recent.Count)];
                var original = target.ShareOfId is { } o ? posts.First(p => p.Id == o) : target;
                var comment = Fill(DemoContent.ShareComments[rng.Next(DemoContent.ShareComments.Length)], rng, people, author);
                post = NewPost(author, comment, at, null, null, original.Id);
            }
            else
            {
                var dept = DemoContent.Departments.FirstOrDefault(d => d.Name == author.Department);
                var pool = dept is not null && rng.NextDouble() < 0.7 ? dept.Lines : DemoContent.CompanyLines;
                post = NewPost(author, Fill(pool[rng.Next(pool.Length)], rng, people, author), at, null, null, null);
            }

            if (post.Text.Length > 0)
            {
                var rendered = PostText.Render(post.Text, known);
                post.Html = rendered.Html;
                foreach (var key in rendered.MentionKeys) mentions.Add(new PostMention { PostId = post.Id, PersonId = byKey[key] });
                foreach (var tag in rendered.Topics)
                {
                    var key = PostText.Key(tag);
                    if (!topicIds.TryGetValue(key, out var topic))
                        topicIds[key] = topic = new Topic { Id = ids.NextAt(at), Tag = tag, TagKey = key, CreatedAt = at };
                    postTopics.Add(new PostTopic { PostId = post.Id, TopicId = topic.Id });
                }
            }
            posts.Add(post);

            // Reactions: roots by leaders draw many, replies a few.
            var reach = post.ReplyToId is null ? (int)(Math.Pow(rng.NextDouble(), 2) * (IsLeader(author) ? 40 : 14)) : rng.Next(0, 4);
            foreach (var reactor in people.OrderBy(_ => rng.Next()).Take(reach))
            {
                if (reactor.Id == author.Id) continue;
                var kind = rng.NextDouble() < 0.6 ? "like" : Reactions.All[rng.Next(Reactions.All.Count)].Name;
                reactions.Add(new Reaction { PostId = post.Id, PersonId = reactor.Id, Kind = kind, CreatedAt = at.AddMinutes(rng.Next(1, 600)) });
            }
            if (i % 250 == 0) progress?.Report(new SeedProgress("posts", i, postCount));
        }
        progress?.Report(new SeedProgress("posts", postCount, postCount));

        // The demo members follow a few topics so their home feeds show topic posts too.
        var topicFollows = new List<TopicFollow>();
        foreach (var p in people.Where(p => p.Handle is "ada" or "ben"))
            foreach (var t in topicIds.Values.OrderBy(t => t.TagKey).Where((_, i) => i % 3 == 0).Take(4))
                topicFollows.Add(new TopicFollow { PersonId = p.Id, TopicId = t.Id, CreatedAt = start });

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Parents before children, as the foreign keys need: managers before their reports (tree order), people
        // before what they wrote, posts before their replies (time order).
        await InsertAsync(people);
        await InsertAsync([.. follows, .. topicIds.Values]);
        await InsertAsync([.. topicFollows, .. communities.Groups]);
        await InsertAsync(communities.Members);
        posts.AddRange(communities.Posts);
        var saved = 0;
        foreach (var chunk in posts.Chunk(500))
        {
            await InsertAsync(chunk);
            saved += chunk.Length;
            progress?.Report(new SeedProgress("saving", saved, posts.Count));
        }
        await InsertAsync([.. postTopics, .. mentions, .. reactions.DistinctBy(r => (r.PostId, r.PersonId, r.Kind))]);
        await tx.CommitAsync(ct);
        return new SeedResult(people.Count, posts.Count, reactions.Count, follows.Count);

        // New rows inserted with plain commands in the open transaction (RowInserter), as the post writer does:
        // through EF Core's change tracker, saving these ~35,000 rows was about two thirds of the seed's ~5 s at a
        // first start (bench/findings.md, seventeenth session). The seed writes no change events, so SaveChanges would
        // have announced nothing either. Rows of a kind the inserter cannot describe are saved by EF Core.
        async Task InsertAsync(IReadOnlyCollection<object> rows)
        {
            if (rows.Count == 0) return;
            if (RowInserter.TryPlan(db, rows) is { } plan)
            {
                await plan.ExecuteAsync(db, ct);
                return;
            }
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.AddRange(rows);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }

        Post NewPost(Person author, string text, DateTime at, long? replyTo, long? root, long? shareOf)
        {
            var id = ids.NextAt(at);
            return new Post
            {
                Id = id, AuthorId = author.Id, Text = text, Html = "", CreatedAt = at, ReplyToId = replyTo,
                RootId = root ?? id, ShareOfId = shareOf,
            };
        }
    }

    List<Person> BuildPeople(Random rng, int count, DateTime start, string hash)
    {
        var people = new List<Person>(count);
        var taken = new HashSet<string> { "gwen" }; // the guest's handle (DemoGroups)
        Person Add(string first, string last, string? handle, string title, string? dept, Person? manager, PersonRole role = PersonRole.Member)
        {
            handle ??= UniqueHandle(first, last, taken);
            taken.Add(handle);
            var name = $"{first} {last}";
            var p = new Person
            {
                Id = ids.NextAt(start.AddDays(-400).AddMinutes(people.Count)), Handle = handle, HandleKey = handle.ToLowerInvariant(),
                DisplayName = name, Email = $"{handle}@chorus.example", EmailKey = $"{handle}@chorus.example",
                JobTitle = title, Department = dept, ManagerId = manager?.Id, Role = role,
                Location = DemoContent.Locations[rng.Next(DemoContent.Locations.Length)],
                Bio = rng.NextDouble() < 0.6 ? $"{title} in {dept ?? "the leadership team"}. Ask me about {dept?.ToLowerInvariant() ?? "strategy"}." : null,
                CreatedAt = start.AddDays(-400), PasswordHash = hash, SearchText = PersonRules.SearchText(name, handle, title),
            };
            people.Add(p);
            return p;
        }
        string First() => DemoContent.FirstNames[rng.Next(DemoContent.FirstNames.Length)];
        string Last() => DemoContent.LastNames[rng.Next(DemoContent.LastNames.Length)];

        var ceo = Add("Helena", "Marsh", "helena", "Chief Executive Officer", "Executive", null);
        var heads = DemoContent.Departments.Select(d => Add(First(), Last(), null, d.HeadTitle, d.Name, ceo)).ToList();
        // The well-known demo accounts: an IT admin, and two members in Engineering and Product.
        var ops = heads[Array.FindIndex(DemoContent.Departments, d => d.Name == "Operations")];
        Add("Morgan", "Reyes", "admin", "IT Administrator", "Operations", ops, PersonRole.Admin);
        var managers = new List<(Person Manager, DemoContent.Department Dept)>();
        for (var d = 0; d < DemoContent.Departments.Length; d++)
        {
            var dept = DemoContent.Departments[d];
            var n = dept.Name is "Engineering" or "Sales" or "Customer Success" ? 5 : dept.Name is "Legal" or "Finance" ? 2 : 3;
            for (var m = 0; m < n; m++) managers.Add((Add(First(), Last(), null, dept.ManagerTitle, dept.Name, heads[d]), dept));
        }
        var eng = managers.First(m => m.Dept.Name == "Engineering");
        var product = managers.First(m => m.Dept.Name == "Product");
        Add("Ada", "Lindqvist", "ada", "Senior Software Engineer", "Engineering", eng.Manager);
        Add("Ben", "Okafor", "ben", "Product Manager", "Product", product.Manager);

        // Everyone else reports to a manager, with bigger departments getting more people.
        var weights = managers.Select(m => m.Dept.Name switch { "Engineering" => 3, "Sales" or "Customer Success" => 2, _ => 1 }).ToArray();
        var total = weights.Sum();
        while (people.Count < count)
        {
            var pick = rng.Next(total);
            var i = 0;
            while (pick >= weights[i]) pick -= weights[i++];
            var (manager, dept) = managers[i];
            Add(First(), Last(), null, dept.Titles[rng.Next(dept.Titles.Length)], dept.Name, manager);
        }
        return people;
    }

    static List<Follow> BuildFollows(Random rng, List<Person> people, DateTime start)
    {
        var edges = new HashSet<(long, long)>();
        var byId = people.ToDictionary(p => p.Id);
        var ceo = people[0];
        foreach (var p in people)
        {
            void Follow(Person target) { if (target.Id != p.Id) edges.Add((p.Id, target.Id)); }
            if (p.Id != ceo.Id && rng.NextDouble() < 0.85) Follow(ceo);
            if (p.ManagerId is { } m) Follow(byId[m]);
            foreach (var head in people.Where(IsHead).Where(_ => rng.NextDouble() < 0.25)) Follow(head);
            var team = people.Where(o => o.Department == p.Department).ToList();
            foreach (var t in team.OrderBy(_ => rng.Next()).Take(rng.Next(4, 14))) Follow(t);
            foreach (var o in people.OrderBy(_ => rng.Next()).Take(rng.Next(2, 12))) Follow(o);
            if (p.Handle is "ada" or "ben")
                foreach (var o in people.Where(o => o.Department is "Engineering" or "Product" or "Design").Take(40)) Follow(o);
        }
        return edges.Select(e => new Follow { FollowerId = e.Item1, FolloweeId = e.Item2, CreatedAt = start.AddDays(-rng.Next(1, 300)) }).ToList();
    }

    static bool IsHead(Person p) => p.JobTitle is not null && DemoContent.Departments.Any(d => d.HeadTitle == p.JobTitle);
    static bool IsLeader(Person p) => IsHead(p) || p.Handle == "helena";
    static int Weight(Person p, List<Person> _) => IsLeader(p) ? 6 : p.Handle is "ada" or "ben" ? 4 : p.JobTitle?.Contains("Manager") == true ? 3 : 2;

    static DateTime RandomWorkTime(Random rng, DateTime start, DateTime end)
    {
        while (true)
        {
            var t = start.AddSeconds(rng.NextDouble() * (end - start).TotalSeconds);
            var weekend = t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var hour = t.Hour;
            var p = (weekend ? 0.15 : 1.0) * (hour is >= 7 and <= 18 ? 1.0 : 0.12);
            if (rng.NextDouble() < p) return t;
        }
    }

    static string Fill(string template, Random rng, List<Person> people, Person author)
    {
        var other = people[rng.Next(people.Count)];
        if (other.Id == author.Id) other = people[(people.IndexOf(other) + 1) % people.Count];
        return template.Replace("{mention}", "@" + other.Handle).Replace("{dept}", author.Department ?? "the company");
    }

    static string UniqueHandle(string first, string last, HashSet<string> taken)
    {
        var baseHandle = Ascii(first).ToLowerInvariant() + "." + Ascii(last).ToLowerInvariant();
        var handle = baseHandle;
        for (var n = 2; taken.Contains(handle) || handle is "ada" or "ben" or "admin"; n++) handle = baseHandle + n.ToString(CultureInfo.InvariantCulture);
        return handle;
    }

    static string Ascii(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.Normalize(NormalizationForm.FormD))
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && char.IsAsciiLetterOrDigit(c)) sb.Append(c);
        return sb.ToString();
    }
}
