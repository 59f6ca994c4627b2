using Chorus.Server.Features.People;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Server.Web.Pages.People;

public sealed class DirectoryModel(PeopleService people) : ChorusPageModel
{
    public string? Query { get; private set; }
    public string? Department { get; private set; }
    public IReadOnlyList<DepartmentCount> Departments { get; private set; } = [];
    public Page<PersonDto> People { get; private set; } = new([], null);

    public async Task<IActionResult> OnGetAsync(string? query, string? department, string? cursor, CancellationToken ct)
    {
        Query = string.IsNullOrWhiteSpace(query) ? null : query.Trim();
        Department = string.IsNullOrWhiteSpace(department) ? null : department.Trim();
        Departments = await people.DepartmentsAsync(ct);
        var page = await people.ListAsync(Query, Department, cursor, 30, Viewer, ct);
        if (page.Ok) People = page.Value!;
        else
        {
            Show(page.Problem!);
            Response.StatusCode = page.Problem!.Status;
        }
        return Page();
    }
}
