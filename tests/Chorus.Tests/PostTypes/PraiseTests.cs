using System.Net;
using System.Net.Http.Json;

namespace Chorus.Tests.PostTypes;

public sealed class PraiseTests(Servers servers)
{
    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Praise_notifies_the_people_and_lists_on_their_profile_through_the_visibility_rule(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        var cat = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();

        var open = await ada.CreateAsync("1", "praise", new { text = "Shipped the release", recipients = new[] { ben.Handle, "@" + cat.Handle }, badge = "above-and-beyond" });
        var details = open.GetProperty("details");
        Assert.Equal("above-and-beyond", details.Str("badge"));
        Assert.Equal(new[] { ben.Handle, cat.Handle }.Order(), details.GetProperty("recipients").EnumerateArray().Select(p => p.Str("handle")).Order());
        Assert.Equal(1, await server.NotificationsAsync(ben.Id, "praise", open.Str("id")));

        var group = await PostTypeHelpers.GroupAsync(ada, "private", ben);
        var hidden = await ada.CreateAsync(group, "praise", new { text = "Thanks for the review", recipients = new[] { ben.Handle }, badge = "mentor" });

        var asMember = await (await ben.Client.GetAsync($"/api/v1/people/{ben.Handle}/praise")).JsonAsync();
        Assert.Equal([hidden.Str("id"), open.Str("id")], asMember.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        var asOutsider = await (await outsider.Client.GetAsync($"/api/v1/people/{ben.Handle}/praise")).JsonAsync();
        Assert.Equal([open.Str("id")], asOutsider.GetProperty("items").EnumerateArray().Select(p => p.Str("id")));
        await (await outsider.Client.GetAsync("/api/v1/people/nobody-here-xyz/praise")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory, MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Bad_praise_is_refused_naming_the_field(string db)
    {
        var server = servers[db];
        var ada = await server.CreateUserAsync();
        var ben = await server.CreateUserAsync();
        async Task Refused(object body, string field)
        {
            var problem = await (await ada.Client.PostAsJsonAsync("/api/v1/groups/1/praise", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        await Refused(new { text = "x", recipients = new[] { ben.Handle }, badge = "gold-star" }, "badge");
        await Refused(new { text = "x", recipients = Array.Empty<string>(), badge = "mentor" }, "recipients");
        await Refused(new { text = "x", recipients = Enumerable.Repeat(ben.Handle, 21).ToArray(), badge = "mentor" }, "recipients");
        await Refused(new { text = "x", recipients = new[] { "no-such-person-xyz" }, badge = "mentor" }, "recipients");
        await Refused(new { text = "x", recipients = new[] { ada.Handle }, badge = "mentor" }, "recipients");
        await Refused(new { text = "", recipients = new[] { ben.Handle }, badge = "mentor" }, "text");
    }
}
