using Chorus.Server.Features.Notifications;
using Chorus.Server.Features.People;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages;

public sealed class NotificationsModel(NotificationService notifications) : ChorusPageModel
{
    public Page<NotificationDto> Items { get; private set; } = new([], null);
    public bool UnreadOnly { get; private set; }
    public int Unread { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? cursor, bool unread, CancellationToken ct)
    {
        UnreadOnly = unread;
        var page = await notifications.ListAsync(Viewer, null, unread, cursor, null, ct);
        if (!page.Ok) return BadRequest();
        Items = page.Value!;
        Unread = await notifications.UnreadCountAsync(Viewer, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken ct)
    {
        await notifications.MarkReadAsync(Viewer, new MarkReadRequest(All: true), ct);
        return LocalRedirect("/notifications");
    }

    public static string Href(NotificationDto n) =>
        n.Post?.Url ?? (n.Actors.Count > 0 ? $"/people/{Uri.EscapeDataString(n.Actors[0].Handle)}" : "/notifications");

    public static string Icon(string kind) => kind switch
    {
        NotificationKinds.Mention => "@",
        NotificationKinds.Reply => "↩",
        NotificationKinds.Reaction => "♥",
        NotificationKinds.Share => "⇄",
        _ => "+",
    };
}
