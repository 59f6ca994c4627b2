using System.Globalization;
using Chorus.Server.Features.Auth;
using Chorus.Server.Features.Notifications;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages;

public sealed class SettingsModel(PeopleService people, AvatarService avatars, CredentialService credentials, NotificationService notifications) : ChorusPageModel
{
    public ProfileDto Profile { get; private set; } = null!;
    public IReadOnlyList<TokenSummary> Tokens { get; private set; } = [];
    public CreatedToken? Created { get; private set; }
    public ProfileChanges? Input { get; private set; }
    public string? TokenName { get; private set; }
    public IReadOnlyDictionary<string, bool> NotificationKinds { get; private set; } = new Dictionary<string, bool>();
    public IReadOnlyList<MutedThread> MutedThreads { get; private set; } = [];
    public string? Saved { get; private set; }
    /// <summary>Which form the error belongs to, so it shows next to that form.</summary>
    public string? Section { get; private set; }

    public async Task OnGetAsync(string? saved, CancellationToken ct)
    {
        Saved = saved switch { "profile" => "Your profile is saved.", "avatar" => "Your photo is updated.", "revoked" => "The token is revoked.",
            "notifications" => "Your notification settings are saved.", "unmuted" => "The thread is unmuted.", _ => null };
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostProfileAsync(string? displayName, string? jobTitle, string? department, string? location, string? bio, CancellationToken ct)
    {
        // Empty inputs clear optional fields (ProfileChanges treats "" as clear and null as keep).
        var changes = new ProfileChanges(displayName ?? "", jobTitle ?? "", department ?? "", location ?? "", bio ?? "");
        var person = (await people.FindAsync(Viewer.Handle, ct))!;
        var outcome = await people.UpdateAsync(Viewer, person, changes, ct);
        if (outcome.Ok) return LocalRedirect("/settings?saved=profile");
        return await FailAsync("profile", outcome.Problem!, ct, input: changes);
    }

    public async Task<IActionResult> OnPostAvatarAsync(IFormFile? avatar, CancellationToken ct)
    {
        if (avatar is null || avatar.Length == 0) return await FailAsync("avatar", Problem.Invalid("avatar", "Choose a file to upload."), ct);
        if (avatar.Length > AvatarService.MaxBytes)
            return await FailAsync("avatar", Problem.TooLarge("avatar", $"The photo is too large: at most {AvatarService.MaxBytes / 1024} KB, please."), ct);
        using var buffer = new MemoryStream();
        await avatar.CopyToAsync(buffer, ct);
        var person = (await people.FindAsync(Viewer.Handle, ct))!;
        var outcome = await avatars.SetAsync(person, buffer.ToArray(), ct);
        if (outcome.Ok) return LocalRedirect("/settings?saved=avatar");
        return await FailAsync("avatar", outcome.Problem!, ct);
    }

    public async Task<IActionResult> OnPostCreateTokenAsync(string? name, string? scope, CancellationToken ct)
    {
        var outcome = await credentials.CreateTokenAsync(Viewer.Id, name, scope, null, ct);
        if (!outcome.Ok) return await FailAsync("tokens", outcome.Problem!, ct, tokenName: name);
        // The secret exists only in this response; the database keeps its hash.
        Created = outcome.Value;
        Response.Headers.CacheControl = "no-store";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync(string? id, CancellationToken ct)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var credentialId)
            || !await credentials.RevokeAsync(Viewer.Id, credentialId, ct))
            return await FailAsync("tokens", Problem.NotFound("The token"), ct);
        return LocalRedirect("/settings?saved=revoked");
    }

    /// <summary>Unchecked boxes are not sent, so every kind not in the form is off.</summary>
    public async Task<IActionResult> OnPostNotificationsAsync(string[]? kinds, CancellationToken ct)
    {
        var chosen = Features.Notifications.NotificationKinds.All.ToDictionary(k => k, k => kinds?.Contains(k) == true);
        var outcome = await notifications.SetPreferencesAsync(Viewer, chosen, ct);
        if (!outcome.Ok) return await FailAsync("notifications", outcome.Problem!, ct);
        return LocalRedirect("/settings?saved=notifications");
    }

    public async Task<IActionResult> OnPostUnmuteAsync(string? id, CancellationToken ct)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var rootId)
            || await notifications.MuteAsync(Viewer, rootId, false, ct) is { Ok: false })
            return await FailAsync("notifications", Problem.NotFound("The thread"), ct);
        return LocalRedirect("/settings?saved=unmuted");
    }

    async Task<IActionResult> FailAsync(string section, Problem problem, CancellationToken ct, ProfileChanges? input = null, string? tokenName = null)
    {
        Section = section;
        Show(problem);
        Input = input;
        TokenName = tokenName;
        Response.StatusCode = problem.Status;
        await LoadAsync(ct);
        return Page();
    }

    async Task LoadAsync(CancellationToken ct)
    {
        Profile = (await people.ProfileAsync(Viewer.Handle, Viewer, ct))!;
        Tokens = await credentials.ListTokensAsync(Viewer.Id, ct);
        NotificationKinds = await notifications.PreferencesAsync(Viewer.Id, ct);
        MutedThreads = await notifications.MutedThreadsAsync(Viewer, 50, ct);
    }
}
