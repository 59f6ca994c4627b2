using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Feeds;
using Chorus.Server.Features.Posts;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Server.Features.People;

public static class PeopleEndpoints
{
    public static void MapPeopleEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization().WithTags("People");
        api.MapGet("/me", Me).WithSummary("The signed-in person");
        api.MapPatch("/me", UpdateMe).RequiresWrite().WithSummary("Edit your profile");
        api.MapPut("/me/avatar", PutAvatar).RequiresWrite().WithSummary("Upload your avatar (raw PNG, JPEG, GIF or WebP bytes, at most 1 MB)");
        api.MapDelete("/me/avatar", DeleteAvatar).RequiresWrite().WithSummary("Remove your avatar");
        api.MapGet("/people", List).WithSummary("The directory: search by name, handle or title; filter by department");
        api.MapPost("/people", Create).RequiresWrite().RequiresAdmin().WithSummary("Add a person (admins)");
        api.MapGet("/people/suggestions", Suggestions).WithSummary("Who to follow");
        api.MapGet("/departments", Departments).WithSummary("Departments with their head counts");
        api.MapGet("/people/{handle}", Get).WithSummary("A profile with manager chain and direct reports");
        api.MapPatch("/people/{handle}", Update).RequiresWrite().RequiresAdmin().WithSummary("Edit someone's profile (admins)");
        api.MapPost("/people/{handle}/deactivate", Deactivate).RequiresWrite().RequiresAdmin().WithSummary("Deactivate an account (admins)");
        api.MapPost("/people/{handle}/reactivate", Reactivate).RequiresWrite().RequiresAdmin().WithSummary("Reactivate an account (admins)");
        api.MapPost("/people/{handle}/follow", Follow).RequiresWrite().WithSummary("Follow a person");
        api.MapDelete("/people/{handle}/follow", Unfollow).RequiresWrite().WithSummary("Stop following a person");
        api.MapGet("/people/{handle}/followers", Followers).WithSummary("Who follows this person");
        api.MapGet("/people/{handle}/following", Following).WithSummary("Whom this person follows");
        api.MapGet("/people/{handle}/posts", Posts).WithSummary("This person's posts and shares, newest first");

        app.MapGet("/avatars/{handle}", Avatar).RequireAuthorization().ExcludeFromDescription();
    }

    static async Task<Ok<ProfileDto>> Me(Viewer viewer, PeopleService people, CancellationToken ct) =>
        TypedResults.Ok((await people.ProfileAsync(viewer.Handle, viewer, ct))!);

    static async Task<Results<Ok<ProfileDto>, ProblemHttpResult>> UpdateMe(ProfileChanges changes, Viewer viewer, PeopleService people, CancellationToken ct)
    {
        var person = (await people.FindAsync(viewer.Handle, ct))!;
        var outcome = await people.UpdateAsync(viewer, person, changes, ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        return TypedResults.Ok((await people.ProfileAsync(person.Handle, viewer, ct))!);
    }

    static async Task<Results<Ok<ProfileDto>, ProblemHttpResult>> PutAvatar(HttpRequest request, Viewer viewer, PeopleService people, AvatarService avatars, CancellationToken ct)
    {
        if (request.ContentLength > AvatarService.MaxBytes)
            return Problem.TooLarge("avatar", $"An avatar may be at most {AvatarService.MaxBytes / 1024} KB.").ToResult();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > AvatarService.MaxBytes)
                return Problem.TooLarge("avatar", $"An avatar may be at most {AvatarService.MaxBytes / 1024} KB.").ToResult();
        }
        var person = (await people.FindAsync(viewer.Handle, ct))!;
        var outcome = await avatars.SetAsync(person, buffer.ToArray(), ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        return TypedResults.Ok((await people.ProfileAsync(person.Handle, viewer, ct))!);
    }

    static async Task<NoContent> DeleteAvatar(Viewer viewer, PeopleService people, AvatarService avatars, CancellationToken ct)
    {
        await avatars.RemoveAsync((await people.FindAsync(viewer.Handle, ct))!, ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<Page<PersonDto>>, ProblemHttpResult>> List(
        Viewer viewer, PeopleService people, string? query, string? department, string? cursor, int? limit, CancellationToken ct) =>
        (await people.ListAsync(query, department, cursor, limit, viewer, ct))
            .Match<Results<Ok<Page<PersonDto>>, ProblemHttpResult>>(p => TypedResults.Ok(p), p => p.ToResult());

    static async Task<Results<Created<ProfileDto>, ProblemHttpResult>> Create(NewPerson input, Viewer viewer, PeopleService people, CancellationToken ct)
    {
        var outcome = await people.CreateAsync(input, ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        var profile = (await people.ProfileAsync(outcome.Value!.Handle, viewer, ct))!;
        return TypedResults.Created(profile.Person.Url, profile);
    }

    static async Task<Ok<IReadOnlyList<PersonSummary>>> Suggestions(Viewer viewer, FollowService follows, int? limit, CancellationToken ct) =>
        TypedResults.Ok(await follows.SuggestionsAsync(viewer, Math.Clamp(limit ?? 5, 1, 50), ct));

    static async Task<Ok<IReadOnlyList<DepartmentCount>>> Departments(PeopleService people, CancellationToken ct) =>
        TypedResults.Ok(await people.DepartmentsAsync(ct));

    static async Task<Results<Ok<ProfileDto>, ProblemHttpResult>> Get(string handle, Viewer viewer, PeopleService people, CancellationToken ct) =>
        await people.ProfileAsync(handle, viewer, ct) is { } profile
            // Guests meet the people of their groups, not the organization's structure.
            ? TypedResults.Ok(viewer.IsGuest ? profile with { ManagerChain = [], DirectReports = [] } : profile)
            : Problem.NotFound("The person").ToResult();

    static async Task<Results<Ok<ProfileDto>, ProblemHttpResult>> Update(string handle, ProfileChanges changes, Viewer viewer, PeopleService people, CancellationToken ct)
    {
        if (await people.FindAsync(handle, ct) is not { } person) return Problem.NotFound("The person").ToResult();
        var outcome = await people.UpdateAsync(viewer, person, changes, ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        return TypedResults.Ok((await people.ProfileAsync(person.Handle, viewer, ct))!);
    }

    static Task<Results<Ok<ProfileDto>, ProblemHttpResult>> Deactivate(string handle, Viewer viewer, PeopleService people, CancellationToken ct) =>
        SetActive(handle, false, viewer, people, ct);

    static Task<Results<Ok<ProfileDto>, ProblemHttpResult>> Reactivate(string handle, Viewer viewer, PeopleService people, CancellationToken ct) =>
        SetActive(handle, true, viewer, people, ct);

    static async Task<Results<Ok<ProfileDto>, ProblemHttpResult>> SetActive(string handle, bool active, Viewer viewer, PeopleService people, CancellationToken ct)
    {
        if (await people.FindAsync(handle, ct) is not { } person) return Problem.NotFound("The person").ToResult();
        var outcome = await people.SetActiveAsync(viewer, person, active, ct);
        if (!outcome.Ok) return outcome.Problem!.ToResult();
        return TypedResults.Ok((await people.ProfileAsync(person.Handle, viewer, ct))!);
    }

    static Task<Results<Ok<FollowState>, ProblemHttpResult>> Follow(string handle, Viewer viewer, PeopleService people, FollowService follows, CancellationToken ct) =>
        SetFollow(handle, true, viewer, people, follows, ct);

    static Task<Results<Ok<FollowState>, ProblemHttpResult>> Unfollow(string handle, Viewer viewer, PeopleService people, FollowService follows, CancellationToken ct) =>
        SetFollow(handle, false, viewer, people, follows, ct);

    static async Task<Results<Ok<FollowState>, ProblemHttpResult>> SetFollow(string handle, bool follow, Viewer viewer, PeopleService people, FollowService follows, CancellationToken ct)
    {
        if (await people.FindAsync(handle, ct) is not { } person) return Problem.NotFound("The person").ToResult();
        return (await follows.FollowAsync(viewer, person, follow, ct))
            .Match<Results<Ok<FollowState>, ProblemHttpResult>>(s => TypedResults.Ok(s), p => p.ToResult());
    }

    static Task<Results<Ok<Page<PersonSummary>>, ProblemHttpResult>> Followers(string handle, PeopleService people, FollowService follows, string? cursor, int? limit, CancellationToken ct) =>
        FollowList(handle, true, people, follows, cursor, limit, ct);

    static Task<Results<Ok<Page<PersonSummary>>, ProblemHttpResult>> Following(string handle, PeopleService people, FollowService follows, string? cursor, int? limit, CancellationToken ct) =>
        FollowList(handle, false, people, follows, cursor, limit, ct);

    static async Task<Results<Ok<Page<PersonSummary>>, ProblemHttpResult>> FollowList(string handle, bool followers, PeopleService people, FollowService follows, string? cursor, int? limit, CancellationToken ct)
    {
        if (await people.FindAsync(handle, ct) is not { } person) return Problem.NotFound("The person").ToResult();
        return (await follows.ListAsync(person, followers, cursor, limit, ct))
            .Match<Results<Ok<Page<PersonSummary>>, ProblemHttpResult>>(p => TypedResults.Ok(p), p => p.ToResult());
    }

    static async Task<Results<OkJson<Page<PostDto>>, ProblemHttpResult>> Posts(string handle, Viewer viewer, PeopleService people, FeedService feeds, string? cursor, int? limit, CancellationToken ct)
    {
        if (await people.FindAsync(handle, ct) is not { } person) return Problem.NotFound("The person").ToResult();
        return (await feeds.PersonAsync(viewer, person.Id, cursor, limit, ct))
            .Match<Results<OkJson<Page<PostDto>>, ProblemHttpResult>>(p => new OkJson<Page<PostDto>>(p), p => p.ToResult());
    }

    static async Task<IResult> Avatar(string handle, HttpContext http, PeopleService people, AvatarService avatars, CancellationToken ct)
    {
        if (await people.FindAsync(handle, ct) is not { } person || await avatars.GetAsync(person.Id, ct) is not { } avatar)
            return Problem.NotFound("The avatar").ToResult();
        var headers = http.Response.Headers;
        headers.CacheControl = "private, max-age=31536000, immutable";
        headers.ContentDisposition = "inline; filename=\"avatar\"";
        // Belt and braces: even if a browser sniffed the bytes, this response can run nothing.
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        return TypedResults.File(avatar.Data, avatar.ContentType);
    }
}
