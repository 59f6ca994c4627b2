extern alias bench;

using bench::Chorus.Bench.Strategy;
using Chorus.Server.Features.Posts;

namespace Chorus.Tests.Bench;

/// <summary>
/// The benchmark's generated organization (bench/Chorus.Bench/Strategy/Org.cs), on a shape small enough for a test:
/// the manager tree and departments, post texts as the server would render them, mentions and reactions.
/// </summary>
public sealed class OrgGeneratorTests
{
    static readonly OrgShape Shape = new("test", 3_000, 30_000, 30, 10, 50);
    static readonly Lazy<Org> Generated = new(() => Org.Generate(Shape, (_, _) => { }));
    static Org Organization => Generated.Value;

    [Fact]
    public void The_same_shape_gives_the_same_organization()
    {
        var again = Org.Generate(Shape, (_, _) => { });
        var org = Organization;
        Assert.Equal(org.PostId, again.PostId);
        Assert.Equal(org.Manager, again.Manager);
        Assert.Equal(org.Department, again.Department);
        Assert.Equal(org.JobTitle, again.JobTitle);
        Assert.Equal(org.PostLength, again.PostLength);
        Assert.Equal(org.ReactionPerson, again.ReactionPerson);
        foreach (var i in new[] { 0, 17, 12_345, 29_999 }) Assert.Equal(org.Text(i), again.Text(i));
    }

    [Fact]
    public void People_form_one_manager_tree_with_departments()
    {
        var org = Organization;
        var n = Shape.People;
        Assert.Equal(0, org.Manager[0]);
        var depth = new int[n];
        for (var i = 1; i < n; i++)
        {
            // Managers come before their reports, so the tree has no cycle and one root, person 1.
            Assert.InRange(org.Manager[i], 1, i);
            depth[i] = depth[org.Manager[i] - 1] + 1;
            // Below the division heads everyone is in their manager's department.
            if (depth[i] >= 3) Assert.Equal(org.Department[org.Manager[i] - 1], org.Department[i]);
        }
        Assert.InRange(depth.Max(), 4, 8);
        var reports = org.Manager.Skip(1).GroupBy(m => m).Select(g => g.Count()).ToList();
        Assert.InRange(reports.Count, n / 10, n / 5);
        Assert.All(reports.SkipLast(1), count => Assert.InRange(count, 3, 10));
        Assert.InRange(org.DepartmentNames.Length, 10, 200);
        Assert.Equal(org.DepartmentNames.Length, org.Department.Distinct().Count());
        Assert.Equal("Chief Executive Officer", org.JobTitle[0]);
        Assert.All(org.JobTitle, t => Assert.False(string.IsNullOrWhiteSpace(t)));
    }

    [Fact]
    public void Post_lengths_have_a_median_near_200_and_a_long_tail_within_the_limit()
    {
        var org = Organization;
        var lengths = Enumerable.Range(0, Shape.Posts).Select(i => org.Text(i).Text.Length).Order().ToArray();
        Assert.InRange(lengths[lengths.Length / 2], 180, 230);
        Assert.True(lengths[^1] <= PostText.MaxLength, $"longest {lengths[^1]}");
        Assert.True(lengths.Count(l => l > 1_000) > Shape.Posts / 200, "a long tail");
        Assert.Equal(PostText.MaxLength, Org.MaxTextLength);
    }

    [Fact]
    public void Texts_are_what_the_server_renders_with_their_mentions_and_topics()
    {
        var org = Organization;
        var known = Enumerable.Range(1, Shape.People).ToDictionary(u => $"p{u}", u => $"p{u}");
        var sample = Enumerable.Range(0, Shape.Posts).Where(i => i % 37 == 0 || org.PostMentions[i].Length > 0 && i % 5 == 0).ToList();
        var paragraphs = 0;
        foreach (var i in sample)
        {
            var (text, html) = org.Text(i);
            var rendered = PostText.Render(text, known);
            Assert.Equal(rendered.Html, html);
            Assert.Equal(org.PostMentions[i].Select(p => $"p{p}").Order(), rendered.MentionKeys.Order());
            Assert.Equal(org.PostTopic[i] == 0 ? [] : new[] { $"topic{org.PostTopic[i]}" }, rendered.Topics);
            if (text.Contains("\n\n", StringComparison.Ordinal)) paragraphs++;
        }
        Assert.True(paragraphs > 10, $"{paragraphs} posts of {sample.Count} with paragraphs");
        Assert.InRange(org.PostMentions.Count(m => m.Length > 0), Shape.Posts / 7, Shape.Posts / 4);
    }

    [Fact]
    public void Reactions_are_unique_in_order_and_never_the_authors_own_or_on_deleted_posts()
    {
        var org = Organization;
        Assert.Equal(org.ReactionPost.Length, org.ReactionPerson.Length);
        Assert.Equal(org.ReactionPost.Length, org.ReactionKind.Length);
        for (var r = 0; r < org.ReactionPost.Length; r++)
        {
            var post = org.ReactionPost[r];
            Assert.NotEqual(org.PostAuthor[post], org.ReactionPerson[r]);
            Assert.False(org.PostDeleted[post]);
            Assert.InRange(org.ReactionPerson[r], 1, Shape.People);
            Assert.InRange(org.ReactionKind[r], 0, Org.ReactionKinds.Length - 1);
            if (r > 0)
                Assert.True(org.ReactionPost[r - 1] < post || org.ReactionPost[r - 1] == post && org.ReactionPerson[r - 1] < org.ReactionPerson[r]);
        }
        Assert.Equal(Reactions.All.Select(k => k.Name), Org.ReactionKinds);
        var withReactions = org.ReactionPost.Distinct().Count();
        Assert.InRange(withReactions, Shape.Posts * 35 / 100, Shape.Posts * 55 / 100);
    }
}
