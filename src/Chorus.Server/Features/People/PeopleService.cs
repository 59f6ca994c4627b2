using System.Globalization;
using System.Text;
using Chorus.Server.Data;
using Chorus.Server.Features.Auth;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.People;

/// <summary>The directory: creating people, profiles with the org chart, search, profile edits and deactivation.</summary>
public sealed class PeopleService(ChorusDb db, IdGenerator ids, TimeProvider clock, IPasswordHasher<Person> hasher, PersonRenderer renderer)
{
    public const int MaxPageSize = 100;

    public Task<Person?> FindAsync(string handle, CancellationToken ct)
    {
        var key = handle.Trim().TrimStart('@').ToLowerInvariant();
        return db.People.FirstOrDefaultAsync(p => p.HandleKey == key, ct);
    }

    /// <summary>Validates and adds a person (not yet saved when <paramref name="save"/> is false, for bulk imports).</summary>
    public async Task<Outcome<Person>> CreateAsync(NewPerson input, CancellationToken ct, bool save = true, string? precomputedHash = null)
    {
        var built = Build(input);
        if (built.Problem is { } problem) return problem;
        var person = built.Value!;
        if (await db.People.AnyAsync(p => p.HandleKey == person.HandleKey, ct) || db.People.Local.Any(p => p.HandleKey == person.HandleKey))
            return Problem.Conflict("handle-taken", $"The handle '{person.Handle}' is taken.");
        if (await db.People.AnyAsync(p => p.EmailKey == person.EmailKey, ct) || db.People.Local.Any(p => p.EmailKey == person.EmailKey))
            return Problem.Conflict("email-taken", $"The email '{person.Email}' belongs to someone else.");

        if (!string.IsNullOrWhiteSpace(input.ManagerHandle))
        {
            var mkey = input.ManagerHandle.Trim().TrimStart('@').ToLowerInvariant();
            var manager = db.People.Local.FirstOrDefault(p => p.HandleKey == mkey) ?? await db.People.FirstOrDefaultAsync(p => p.HandleKey == mkey, ct);
            if (manager is null) return Problem.Invalid("managerHandle", $"No person has the handle '{input.ManagerHandle}'.");
            person.ManagerId = manager.Id;
        }

        if (precomputedHash is not null) person.PasswordHash = precomputedHash;
        else if (input.Password is not null) person.PasswordHash = hasher.HashPassword(person, input.Password);
        db.People.Add(person);
        if (save) await db.SaveChangesAsync(ct);
        return person;
    }

    /// <summary>
    /// Checks every field rule and builds the person without touching the database: no uniqueness check, no manager,
    /// no password hash. The CSV import uses it directly because it checks uniqueness and managers in bulk.
    /// </summary>
    public Outcome<Person> Build(NewPerson input)
    {
        if (PersonRules.CheckHandle(input.Handle) is { } hp) return hp;
        if (PersonRules.CheckEmail(input.Email) is { } ep) return ep;
        var name = PersonRules.Text("displayName", input.DisplayName, PersonRules.MaxName, required: true);
        var title = PersonRules.Text("jobTitle", input.JobTitle, PersonRules.MaxTitle);
        var dept = PersonRules.Text("department", input.Department, PersonRules.MaxDepartment);
        var loc = PersonRules.Text("location", input.Location, PersonRules.MaxLocation);
        var bio = PersonRules.Text("bio", input.Bio, PersonRules.MaxBio, multiline: true);
        var role = PersonRules.Role(input.Role);
        foreach (var p in new[] { name.Problem, title.Problem, dept.Problem, loc.Problem, bio.Problem, role.Problem })
            if (p is not null) return p;
        if (input.Password is not null && PersonRules.CheckPassword(input.Password) is { } pp) return pp;

        var handle = input.Handle!.Trim();
        var email = input.Email!.Trim();
        return new Person
        {
            Id = ids.Next(), Handle = handle, HandleKey = handle.ToLowerInvariant(), DisplayName = name.Value!, Email = email,
            EmailKey = email.ToLowerInvariant(), JobTitle = title.Value, Department = dept.Value, Location = loc.Value, Bio = bio.Value,
            Role = role.Value, CreatedAt = clock.GetUtcNow().UtcDateTime, SearchText = PersonRules.SearchText(name.Value!, handle, title.Value),
        };
    }

    public async Task<ProfileDto?> ProfileAsync(string handle, Viewer? viewer, CancellationToken ct)
    {
        var person = await FindAsync(handle, ct);
        if (person is null) return null;
        var dto = (await renderer.RenderAsync([person], viewer, ct))[0];

        // The manager chain in one recursive query (a query per level cost ~0.5 ms each, seven levels deep at the
        // benchmark's size), its name cards from memory. The depth cap and the seen set guard against a cycle in
        // imported data.
        var chainIds = new List<long>();
        if (person.ManagerId is not null)
        {
            var rows = await db.Database.SqlQuery<ChainRow>($@"
                WITH RECURSIVE chain(id, manager_id, depth) AS (
                    SELECT id, manager_id, 0 FROM people WHERE id = {person.Id}
                    UNION ALL
                    SELECT p.id, p.manager_id, c.depth + 1 FROM people p JOIN chain c ON p.id = c.manager_id WHERE c.depth < {MaxChain})
                SELECT id AS ""Id"", depth AS ""Depth"" FROM chain WHERE depth > 0").ToListAsync(ct);
            var seen = new HashSet<long> { person.Id };
            foreach (var row in rows.OrderBy(r => r.Depth))
            {
                if (!seen.Add(row.Id)) break;
                chainIds.Add(row.Id);
            }
        }
        var cards = await renderer.SummariesAsync(chainIds, ct);
        var chain = chainIds.TakeWhile(cards.ContainsKey).Select(id => cards[id]).ToList();
        var reports = await db.People.AsNoTracking().Where(p => p.ManagerId == person.Id && p.DeactivatedAt == null)
            .OrderBy(p => p.SearchText).Take(200).ToListAsync(ct);
        return new ProfileDto(dto, chain, reports.Select(PersonRenderer.Summary).ToList());
    }

    /// <summary>Managers shown above a person at most.</summary>
    const int MaxChain = 50;

    sealed class ChainRow
    {
        public long Id { get; set; }
        public int Depth { get; set; }
    }

    /// <summary>The directory, alphabetical, with optional search and department filter. Deactivated people are left out.</summary>
    public async Task<Outcome<Page<PersonDto>>> ListAsync(string? query, string? department, string? cursor, int? limit, Viewer? viewer, CancellationToken ct)
    {
        var n = limit ?? 30;
        if (n is < 1 or > MaxPageSize) return Problem.BadRequest("limit", $"must be between 1 and {MaxPageSize}.");
        if (query?.Length > 100) return Problem.BadRequest("query", "must be at most 100 characters.");
        // Guests are not part of the organization's directory; they appear in the member lists of their groups.
        var q = db.People.AsNoTracking().Where(p => p.DeactivatedAt == null && p.Role != PersonRole.Guest);
        if (!string.IsNullOrWhiteSpace(query))
        {
            foreach (var word in query.Trim().TrimStart('@').ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(5))
                q = q.Where(p => p.SearchText.Contains(word));
        }
        if (!string.IsNullOrWhiteSpace(department)) q = q.Where(p => p.Department == department.Trim());
        if (cursor is not null)
        {
            if (!TryDecodeCursor(cursor, out var text, out var id)) return Problem.BadRequest("cursor", "is not a cursor this server issued.");
            q = q.Where(p => string.Compare(p.SearchText, text) > 0 || (p.SearchText == text && p.Id > id));
        }
        var rows = await q.OrderBy(p => p.SearchText).ThenBy(p => p.Id).Take(n + 1).ToListAsync(ct);
        var more = rows.Count > n;
        if (more) rows.RemoveAt(n);
        var items = await renderer.RenderAsync(rows, viewer, ct);
        return new Page<PersonDto>(items, more ? EncodeCursor(rows[^1].SearchText, rows[^1].Id) : null);
    }

    public async Task<IReadOnlyList<DepartmentCount>> DepartmentsAsync(CancellationToken ct) =>
        (await db.People.Where(p => p.DeactivatedAt == null && p.Department != null)
            .GroupBy(p => p.Department!).Select(g => new { g.Key, N = g.Count() }).ToListAsync(ct))
        .OrderBy(d => d.Key, StringComparer.CurrentCultureIgnoreCase).Select(d => new DepartmentCount(d.Key, d.N)).ToList();

    /// <summary>Applies profile changes. Members change their own profile; org fields (manager, role, email) are for admins.</summary>
    public async Task<Outcome<Person>> UpdateAsync(Viewer viewer, Person person, ProfileChanges c, CancellationToken ct)
    {
        var self = person.Id == viewer.Id;
        if (!self && !viewer.IsAdmin) return Problem.Forbidden("Only admins can edit someone else's profile.");
        if (!viewer.IsAdmin && (c.ManagerHandle is not null || c.Role is not null || c.Email is not null))
            return Problem.Forbidden("Only admins can change manager, role or email.");

        if (c.DisplayName is not null)
        {
            var v = PersonRules.Text("displayName", c.DisplayName, PersonRules.MaxName, required: true);
            if (v.Problem is not null) return v.Problem;
            person.DisplayName = v.Value!;
        }
        foreach (var (field, value, max, set) in new (string, string?, int, Action<string?>)[]
        {
            ("jobTitle", c.JobTitle, PersonRules.MaxTitle, v => person.JobTitle = v),
            ("department", c.Department, PersonRules.MaxDepartment, v => person.Department = v),
            ("location", c.Location, PersonRules.MaxLocation, v => person.Location = v),
            ("bio", c.Bio, PersonRules.MaxBio, v => person.Bio = v),
        })
        {
            if (value is null) continue;
            var v = PersonRules.Text(field, value, max, multiline: field == "bio");
            if (v.Problem is not null) return v.Problem;
            set(v.Value);
        }
        if (c.Email is not null)
        {
            if (PersonRules.CheckEmail(c.Email) is { } ep) return ep;
            var key = c.Email.Trim().ToLowerInvariant();
            if (await db.People.AnyAsync(p => p.EmailKey == key && p.Id != person.Id, ct))
                return Problem.Conflict("email-taken", "That email belongs to someone else.");
            person.Email = c.Email.Trim();
            person.EmailKey = key;
        }
        if (c.Role is not null)
        {
            var r = PersonRules.Role(c.Role);
            if (r.Problem is not null) return r.Problem;
            if (r.Value != PersonRole.Admin && person.Role == PersonRole.Admin &&
                await db.People.CountAsync(p => p.Role == PersonRole.Admin && p.DeactivatedAt == null, ct) <= 1)
                return Problem.Conflict("last-admin", "This is the last admin; make someone else an admin first.");
            person.Role = r.Value;
        }
        if (c.ManagerHandle is not null)
        {
            if (c.ManagerHandle.Trim().Length == 0) person.ManagerId = null;
            else
            {
                var manager = await FindAsync(c.ManagerHandle, ct);
                if (manager is null) return Problem.Invalid("managerHandle", $"No person has the handle '{c.ManagerHandle}'.");
                if (await WouldCycleAsync(person.Id, manager.Id, ct))
                    return Problem.Invalid("managerHandle", "That would make a person their own manager.");
                person.ManagerId = manager.Id;
            }
        }
        person.SearchText = PersonRules.SearchText(person.DisplayName, person.Handle, person.JobTitle);
        // Caches of the person's name card and of their signed-in credentials (role) forget it (ADR 008).
        db.Events.Add(PersonRules.Updated(viewer.Id, person.Id, clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
        return person;
    }

    async Task<bool> WouldCycleAsync(long personId, long managerId, CancellationToken ct)
    {
        long? at = managerId;
        for (var depth = 0; at is { } id && depth < 100; depth++)
        {
            if (id == personId) return true;
            at = await db.People.Where(p => p.Id == id).Select(p => p.ManagerId).FirstOrDefaultAsync(ct);
        }
        return false;
    }

    /// <summary>Deactivates (or reactivates) a person. Deactivation revokes every session and token at once.</summary>
    public async Task<Outcome<Person>> SetActiveAsync(Viewer viewer, Person person, bool active, CancellationToken ct)
    {
        if (!viewer.IsAdmin) return Problem.Forbidden("Only admins can deactivate or reactivate people.");
        if (!active && person.Id == viewer.Id) return Problem.Conflict("self-deactivation", "You cannot deactivate yourself.");
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        person.DeactivatedAt = active ? null : now;
        db.Events.Add(active ? PersonRules.Updated(viewer.Id, person.Id, now)
            : new ChangeEvent { Kind = "person.deactivated", ActorId = viewer.Id, PersonId = person.Id, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        if (!active)
            await db.Credentials.Where(c => c.PersonId == person.Id && c.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.RevokedAt, now), ct);
        await tx.CommitAsync(ct);
        return person;
    }

    public async Task<Outcome<bool>> SetPasswordAsync(Person person, string? password, CancellationToken ct)
    {
        if (PersonRules.CheckPassword(password) is { } p) return p;
        person.PasswordHash = hasher.HashPassword(person, password!);
        await db.SaveChangesAsync(ct);
        return true;
    }

    static string EncodeCursor(string text, long id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{text}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static bool TryDecodeCursor(string cursor, out string text, out long id)
    {
        text = ""; id = 0;
        try
        {
            var s = cursor.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
            var raw = Encoding.UTF8.GetString(Convert.FromBase64String(s));
            var colon = raw.IndexOf(':');
            if (colon < 1 || !long.TryParse(raw[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out id)) return false;
            text = raw[(colon + 1)..];
            return true;
        }
        catch (FormatException) { return false; }
    }
}
