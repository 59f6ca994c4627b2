using Chorus.Server.Features.People;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.People;

public sealed class FollowsModel(PeopleService people, FollowService follows) : ChorusPageModel
{
    public bool Followers { get; private set; }
    public string Handle { get; private set; } = "";
    public string Name { get; private set; } = "";
    public Page<PersonSummary> People { get; private set; } = new([], null);

    public async Task<IActionResult> OnGetAsync(string handle, string list, string? cursor, CancellationToken ct)
    {
        if (await people.FindAsync(handle, ct) is not { } person) return NotFound();
        Followers = list == "followers";
        Handle = person.Handle;
        Name = person.DisplayName;
        var page = await follows.ListAsync(person, Followers, cursor, 50, ct);
        if (!page.Ok) return BadRequest();
        People = page.Value!;
        return Page();
    }
}
