using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Groups;

/// <summary>
/// Guests see their groups and those groups' members, nothing else. The API is closed to them by default: only the
/// paths below are open, and each of those applies the visibility rule or the group rules itself. A new API area
/// stays closed to guests until it is added here on purpose.
/// </summary>
public static class GuestFence
{
    static readonly string[] Open =
    [
        "/api/v1/auth", "/api/v1/me", "/api/v1/posts", "/api/v1/groups", "/api/v1/files", "/api/v1/timelines/home",
        "/api/v1/notifications", "/api/v1/streaming",
    ];

    public static IApplicationBuilder UseGuestFence(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Features.Get<Viewer>() is not { IsGuest: true } viewer || !http.Request.Path.StartsWithSegments("/api"))
        {
            await next(http);
            return;
        }
        var path = http.Request.Path.Value ?? "";
        if (Open.Any(p => http.Request.Path.StartsWithSegments(p)))
        {
            await next(http);
            return;
        }
        // A person's profile and posts: only people the guest shares a group with (their posts still pass the visibility rule).
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["api", "v1", "people", var handle, ..] && HttpMethods.IsGet(http.Request.Method) &&
            (segments.Length == 4 || segments[4] is "posts" or "praise"))
        {
            var db = http.RequestServices.GetRequiredService<ChorusDb>();
            if (await SharesGroupAsync(db, viewer, Uri.UnescapeDataString(handle), http.RequestAborted))
            {
                await next(http);
                return;
            }
            await Problem.NotFound("The person").ToResult().ExecuteAsync(http);
            return;
        }
        await Problem.Forbidden("Guests see only the groups they were invited into and those groups' members.").ToResult().ExecuteAsync(http);
    });

    /// <summary>Whether the person with this handle is the viewer or a member of one of the viewer's groups.</summary>
    public static async Task<bool> SharesGroupAsync(ChorusDb db, Viewer viewer, string handle, CancellationToken ct)
    {
        var key = handle.Trim().TrimStart('@').ToLowerInvariant();
        var person = await db.People.AsNoTracking().Where(p => p.HandleKey == key).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct);
        if (person is not { } id) return false;
        if (id == viewer.Id) return true;
        var groups = viewer.Groups;
        return await db.GroupMembers.AnyAsync(m => m.PersonId == id && m.State == MembershipState.Member && groups.Contains(m.GroupId), ct);
    }
}
