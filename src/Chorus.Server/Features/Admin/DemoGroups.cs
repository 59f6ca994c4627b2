using Chorus.Server.Data;
using Chorus.Server.Infrastructure;

namespace Chorus.Server.Features.Admin;

/// <summary>
/// The demo organization's communities: a public guild, a private council, a secret project and a partner group with
/// a guest from outside, each with a few posts, so every kind of group can be tried after <c>dotnet run</c>.
/// </summary>
public static class DemoGroups
{
    /// <summary>How many posts the demo groups get, beyond the all-company posts.</summary>
    public static int PostCount => Specs.Sum(s => s.Lines.Length);

    public sealed record Seeded(List<Group> Groups, List<GroupMember> Members, List<Post> Posts);

    static readonly (string Name, GroupKind Kind, string Description, string Owner, string[] Lines)[] Specs =
    [
        ("Engineering Guild", GroupKind.Public, "Tips, talks and tooling for everyone who builds software here.", "ada",
            ["Lunch & learn on Thursday: property-based testing in C#. Bring questions!", "Who has experience with PostgreSQL logical replication? #database",
             "The new CI runners are live; builds are about 40% faster.", "Draft of our code review guidelines is up for comments."]),
        ("Product Council", GroupKind.Private, "Roadmap decisions and trade-offs. Ask to join if you need to be in the loop.", "ben",
            ["Q3 roadmap review moved to Tuesday.", "Customer interviews summary: onboarding is the top pain point.",
             "Proposal: sunset the legacy export in favour of the API."]),
        ("Project Falcon", GroupKind.Secret, "Confidential: invitation only.", "helena",
            ["Falcon kickoff notes are in the wiki.", "Keep the name internal until the announcement, please."]),
        ("Acme Partnership", GroupKind.Private, "Working space shared with our partner Acme Corp (guests welcome).", "ben",
            ["Welcome Gwen from Acme! Introductions thread below.", "Integration test environment is ready for Acme."]),
    ];

    /// <summary>Adds the guest to <paramref name="people"/> and returns the groups, memberships and group posts to save.</summary>
    public static Seeded Build(Random rng, List<Person> people, string hash, DateTime start, DateTime now, IdGenerator ids)
    {
        var guest = new Person
        {
            Id = ids.NextAt(start), Handle = "gwen", HandleKey = "gwen", DisplayName = "Gwen Parker", Email = "gwen@acme.example", EmailKey = "gwen@acme.example",
            JobTitle = "Solutions Architect, Acme Corp", PasswordHash = hash, Role = PersonRole.Guest, CreatedAt = start,
            SearchText = People.PersonRules.SearchText("Gwen Parker", "gwen", "Solutions Architect, Acme Corp"),
        };
        people.Add(guest);
        var byHandle = people.ToDictionary(p => p.Handle);
        var groups = new List<Group>();
        var members = new List<GroupMember>();
        var posts = new List<Post>();
        foreach (var spec in Specs)
        {
            var group = new Group
            {
                Id = ids.NextAt(start), Name = spec.Name, NameKey = spec.Name.ToLowerInvariant(), Description = spec.Description,
                Kind = spec.Kind, CreatedBy = byHandle[spec.Owner].Id, CreatedAt = start,
            };
            groups.Add(group);
            var chosen = new List<Person> { byHandle[spec.Owner] };
            chosen.AddRange(spec.Name switch
            {
                "Engineering Guild" => people.Where(p => p.Department == "Engineering").Take(60),
                "Product Council" => people.Where(p => p.Department == "Product" || p.Handle is "helena" or "ada").Take(25),
                "Project Falcon" => people.Where(p => p.Handle is "ada" or "ben"),
                _ => people.Where(p => p.Handle is "ada" or "gwen"),
            });
            foreach (var person in chosen.DistinctBy(p => p.Id))
                members.Add(new GroupMember
                {
                    GroupId = group.Id, PersonId = person.Id, State = MembershipState.Member, CreatedAt = start, JoinedAt = start,
                    Role = person.Handle == spec.Owner ? GroupRole.Owner : GroupRole.Member,
                });
            var authors = chosen.Where(p => p.Role != PersonRole.Guest || spec.Name == "Acme Partnership").ToList();
            foreach (var line in spec.Lines)
            {
                var at = now.AddHours(-rng.Next(2, 24 * 20));
                var id = ids.NextAt(at);
                posts.Add(new Post
                {
                    Id = id, RootId = id, AuthorId = authors[rng.Next(authors.Count)].Id, Text = line, Html = "", CreatedAt = at,
                    GroupId = group.Id, MembersOnly = group.MembersOnly,
                });
            }
        }
        return new Seeded(groups, members, posts);
    }
}
