using Chorus.Server.Features.GroupPages;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.Groups.Pages;

public sealed class FaqModel(FaqService faq) : GroupContentPageModel
{
    public FaqDto Faq { get; private set; } = new([], false);
    public string? Question { get; private set; }
    public string? Answer { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        Faq = await faq.GetAsync(Viewer, Group, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAddAsync(string id, string? question, string? answer, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        var created = await faq.CreateAsync(Viewer, Group, new FaqEntryRequest(question, answer), ct);
        if (created.Ok) return LocalRedirect($"/groups/{GroupId}/faq#faq-{created.Value!.Id}");
        (Question, Answer) = (question, answer);
        return await FailAsync(created.Problem!, ct);
    }

    public async Task<IActionResult> OnPostEditAsync(string id, string entry, string? question, string? answer, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        var updated = await faq.UpdateAsync(Viewer, Group, entry, new FaqEntryRequest(question, answer), ct);
        return updated.Ok ? LocalRedirect($"/groups/{GroupId}/faq#faq-{entry}") : await FailAsync(updated.Problem!, ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(string id, string entry, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        var deleted = await faq.DeleteAsync(Viewer, Group, entry, ct);
        return deleted.Ok ? LocalRedirect($"/groups/{GroupId}/faq") : await FailAsync(deleted.Problem!, ct);
    }

    /// <summary>Moving one entry is a reorder with the full list, the same operation the API offers.</summary>
    public async Task<IActionResult> OnPostMoveAsync(string id, string entry, int by, CancellationToken ct)
    {
        if (await LoadGroupAsync(id, ct) is { } refused) return refused;
        var ids = (await faq.GetAsync(Viewer, Group, ct)).Entries.Select(e => e.Id).ToList();
        var at = ids.IndexOf(entry);
        var to = at + Math.Sign(by);
        if (at >= 0 && to >= 0 && to < ids.Count) (ids[at], ids[to]) = (ids[to], ids[at]);
        var done = await faq.ReorderAsync(Viewer, Group, new FaqOrderRequest(ids), ct);
        return done.Ok ? LocalRedirect($"/groups/{GroupId}/faq#faq-{entry}") : await FailAsync(done.Problem!, ct);
    }

    async Task<IActionResult> FailAsync(Problem problem, CancellationToken ct)
    {
        Faq = await faq.GetAsync(Viewer, Group, ct);
        return Refused(problem);
    }
}
