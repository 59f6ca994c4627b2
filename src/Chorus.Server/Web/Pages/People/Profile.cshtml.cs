using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.People;
using Chorus.Server.Features.Posts;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.People;

public sealed class ProfileModel(PeopleService people, FollowService follows, FeedService feeds, Features.PostTypes.PraiseService praise) : ChorusPageModel
{
    public ProfileDto Profile { get; private set; } = null!;
    public Page<PostDto> Posts { get; private set; } = new([], null);
    /// <summary>The newest praise this person received that the viewer may see.</summary>
    public IReadOnlyList<PostDto> Praise { get; private set; } = [];
    public const int PraiseShown = 3;

    public async Task<IActionResult> OnGetAsync(string handle, string? cursor, CancellationToken ct) =>
        await LoadAsync(handle, cursor, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostFollowAsync(string handle, bool follow, CancellationToken ct)
    {
        if (await people.FindAsync(handle, ct) is not { } person) return NotFound();
        var outcome = await follows.FollowAsync(Viewer, person, follow, ct);
        if (outcome.Ok) return LocalRedirect($"/people/{Uri.EscapeDataString(person.Handle)}");
        await LoadAsync(handle, null, ct);
        Show(outcome.Problem!);
        Response.StatusCode = outcome.Problem!.Status;
        return Page();
    }

    async Task<bool> LoadAsync(string handle, string? cursor, CancellationToken ct)
    {
        if (await people.ProfileAsync(handle, Viewer, ct) is not { } profile) return false;
        Profile = profile;
        var page = await feeds.PersonAsync(Viewer, long.Parse(profile.Person.Id, System.Globalization.CultureInfo.InvariantCulture), cursor, null, ct);
        if (page.Ok) Posts = page.Value!;
        if (cursor is null && await praise.ReceivedAsync(Viewer, profile.Person.Handle, null, PraiseShown, ct) is { Ok: true } received)
            Praise = received.Value!.Items;
        return true;
    }
}
