using System.Text;
using Chorus.Server.Data;
using Chorus.Server.Features.People;
using Chorus.Server.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Admin;

public sealed record ImportOptions(string? Password = null, bool DryRun = false);

public sealed record ImportProgress(string Stage, int Done, int Total);

public sealed record ImportRejection(int Line, string? Handle, string Reason);

/// <summary>Rows = data rows read; Imported = people created (or that would be, in a dry run).</summary>
public sealed record ImportReport(int Rows, int Imported, IReadOnlyList<ImportRejection> Rejected, bool DryRun);

/// <summary>
/// Imports people from CSV (`chorus import-people`). Every row is checked in memory first — field rules via
/// <see cref="PeopleService.Build"/>, uniqueness against the file and against keys preloaded from the database, managers
/// by handle in the file (also further down) or in the database, manager cycles — and a bad row is rejected with its line
/// and reason while the good rows are written in batches. A row whose manager is rejected is rejected too, so nobody
/// lands in the org chart under the wrong person. Handles that already exist are rejected as duplicates, which makes
/// re-running a file safe: only the rows that failed before (and were fixed) go in.
/// Imported people have no password (they cannot sign in until an admin sets one) unless the import gives one to all.
/// </summary>
public sealed class PeopleImporter(ChorusDb db, PeopleService people, IdGenerator ids, IPasswordHasher<Person> hasher)
{
    public const int BatchSize = 1000;
    public static readonly string[] RequiredColumns = ["handle", "name", "email"];
    public static readonly string[] OptionalColumns = ["title", "department", "manager", "location"];

    sealed class Row(int line, Person person, string? managerKey)
    {
        public int Line { get; } = line;
        public Person Person { get; } = person;
        public string? ManagerKey { get; } = managerKey;
        public string? Rejected { get; set; }
        public bool Settled { get; set; }
        public bool Visiting { get; set; }
        public int Depth { get; set; }
    }

    /// <summary>Opens a file as UTF-8 (with or without BOM) and imports it. A file that cannot be read is a problem, not an exception.</summary>
    public async Task<Outcome<ImportReport>> ImportFileAsync(string path, ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            return await ImportAsync(stream, options, progress, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Problem.Invalid("file", $"cannot be read: {e.Message}");
        }
    }

    public async Task<Outcome<ImportReport>> ImportAsync(Stream csv, ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        List<CsvRecord> records;
        try
        {
            // Strict UTF-8: a file saved as Windows-1252 is refused instead of importing mangled names.
            using var reader = new StreamReader(csv, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
            records = CsvReader.Read(reader).ToList();
        }
        catch (CsvFormatException e) { return Problem.Invalid("file", e.Message); }
        catch (DecoderFallbackException) { return Problem.Invalid("file", "is not UTF-8 text; save it as \"CSV UTF-8\"."); }
        if (records.Count == 0) return Problem.Invalid("file", "is empty; the first row must name the columns handle, name, email.");

        var header = ReadHeader(records[0]);
        if (header.Problem is { } headerProblem) return headerProblem;
        var columns = header.Value!;

        string? hash = null;
        if (options.Password is not null)
        {
            if (PersonRules.CheckPassword(options.Password) is { } pp) return pp;
            // One hash shared by every imported row: hashing 100,000 passwords would take hours, and this is a trial password.
            hash = hasher.HashPassword(null!, options.Password);
        }

        var total = records.Count - 1;
        progress?.Report(new ImportProgress("checking", 0, total));
        var existingHandles = new Dictionary<string, long>(StringComparer.Ordinal);
        var existingEmails = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var p in db.People.AsNoTracking().Select(p => new { p.Id, p.HandleKey, p.EmailKey }).AsAsyncEnumerable().WithCancellation(ct))
        {
            existingHandles[p.HandleKey] = p.Id;
            existingEmails.Add(p.EmailKey);
        }

        var rejected = new List<ImportRejection>();
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        var emailLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var rejectedHandles = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i < records.Count; i++)
        {
            var record = records[i];
            string? Field(string column) => columns.TryGetValue(column, out var at) && at < record.Fields.Count ? record.Fields[at] : null;
            var handle = Field("handle")?.Trim();
            var reason = Check(Field, existingHandles, existingEmails, rows, emailLines, out var row, record.Line);
            if (reason is not null)
            {
                rejected.Add(new ImportRejection(record.Line, handle, reason));
                if (!string.IsNullOrEmpty(handle)) rejectedHandles.TryAdd(handle.ToLowerInvariant(), record.Line);
            }
            else
            {
                rows.Add(row!.Person.HandleKey, row);
                emailLines.Add(row.Person.EmailKey, row.Line);
            }
            if (i % BatchSize == 0) progress?.Report(new ImportProgress("checking", i, total));
        }
        progress?.Report(new ImportProgress("checking", total, total));

        foreach (var row in rows.Values) Settle(row, rows, existingHandles, rejectedHandles);
        var accepted = rows.Values.Where(r => r.Rejected is null).OrderBy(r => r.Depth).ThenBy(r => r.Line).ToList();
        rejected.AddRange(rows.Values.Where(r => r.Rejected is not null).Select(r => new ImportRejection(r.Line, r.Person.Handle, r.Rejected!)));

        var imported = options.DryRun ? accepted.Count : await WriteAsync(accepted, existingHandles, hash, rejected, progress, ct);
        rejected.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new ImportReport(total, imported, rejected, options.DryRun);
    }

    static Outcome<Dictionary<string, int>> ReadHeader(CsvRecord header)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Fields.Count; i++)
        {
            var name = header.Fields[i].Trim().ToLowerInvariant();
            if (!RequiredColumns.Contains(name) && !OptionalColumns.Contains(name)) continue;
            if (!columns.TryAdd(name, i)) return Problem.Invalid("file", $"the header names the column '{name}' twice.");
        }
        var missing = RequiredColumns.Where(c => !columns.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            return Problem.Invalid("file", $"the header (line {header.Line}) has no {string.Join(", ", missing.Select(m => $"'{m}'"))} column; " +
                $"expected {string.Join(",", RequiredColumns.Concat(OptionalColumns))} in any order. Nothing was imported.");
        return columns;
    }

    /// <summary>Field rules and uniqueness for one row. Returns the reason it is rejected, or null and the row.</summary>
    string? Check(Func<string, string?> field, Dictionary<string, long> existingHandles, HashSet<string> existingEmails,
        Dictionary<string, Row> rows, Dictionary<string, int> emailLines, out Row? row, int line)
    {
        row = null;
        var built = people.Build(new NewPerson(field("handle"), field("name"), field("email"), JobTitle: field("title"),
            Department: field("department"), Location: field("location")));
        if (built.Problem is { } problem) return Describe(problem);
        var person = built.Value!;
        if (existingHandles.ContainsKey(person.HandleKey)) return $"handle '{person.Handle}' already exists.";
        if (rows.TryGetValue(person.HandleKey, out var earlier)) return $"handle '{person.Handle}' is already used on line {earlier.Line}.";
        if (existingEmails.Contains(person.EmailKey)) return $"email '{person.Email}' belongs to someone else.";
        if (emailLines.TryGetValue(person.EmailKey, out var emailLine)) return $"email '{person.Email}' is already used on line {emailLine}.";

        var manager = field("manager")?.Trim().TrimStart('@');
        var managerKey = string.IsNullOrEmpty(manager) ? null : manager.ToLowerInvariant();
        if (managerKey == person.HandleKey) return "manager: a person cannot be their own manager.";
        row = new Row(line, person, managerKey);
        return null;
    }

    static string Describe(Problem problem) => problem.Errors is { Count: > 0 } errors
        ? string.Join(" ", errors.Select(e => $"{ColumnOf(e.Key)}: {string.Join(" ", e.Value)}"))
        : problem.Detail ?? problem.Title;

    // The rules name API fields; the person reading the report thinks in the file's column names.
    static string ColumnOf(string field) => field switch { "displayName" => "name", "jobTitle" => "title", _ => field };

    /// <summary>
    /// Decides a row by walking up its manager chain: a chain that ends at no manager or at someone in the database is good,
    /// one that reaches an unknown or rejected handle is rejected, one that comes back to itself is a cycle. Iterative,
    /// because an adversarial file can hold a chain 100,000 people deep.
    /// </summary>
    static void Settle(Row start, Dictionary<string, Row> rows, Dictionary<string, long> existing, Dictionary<string, int> rejectedHandles)
    {
        if (start.Settled) return;
        var path = new List<Row>();
        var row = start;
        while (true)
        {
            row.Visiting = true;
            path.Add(row);
            if (row.ManagerKey is null || existing.ContainsKey(row.ManagerKey)) { Decide(row, null); break; }
            if (!rows.TryGetValue(row.ManagerKey, out var manager))
            {
                var reason = rejectedHandles.TryGetValue(row.ManagerKey, out var at)
                    ? $"manager '{row.ManagerKey}' is rejected (line {at})."
                    : $"manager '{row.ManagerKey}' is not in the file or the directory.";
                Decide(row, reason);
                break;
            }
            if (manager.Visiting)
            {
                var loop = path.Skip(path.IndexOf(manager)).ToList();
                var text = string.Join(" → ", loop.Select(r => r.Person.Handle).Append(manager.Person.Handle));
                foreach (var r in loop) Decide(r, $"manager chain loops: {text} (lines {string.Join(", ", loop.Select(l => l.Line))}).");
                break;
            }
            if (manager.Settled) break;
            row = manager;
        }
        // Unwind: everyone still undecided on the path takes the verdict of their manager, nearest the top first.
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var r = path[i];
            if (r.Settled) continue;
            var m = rows[r.ManagerKey!];
            Decide(r, m.Rejected is null ? null : $"manager '{m.Person.Handle}' is rejected (line {m.Line}).");
            r.Depth = m.Depth + 1;
        }
    }

    static void Decide(Row row, string? rejected)
    {
        row.Rejected = rejected;
        row.Settled = true;
        row.Visiting = false;
    }

    /// <summary>
    /// Writes managers before their reports, in transactions of <see cref="BatchSize"/> rows. Ids are handed out in that
    /// order because EF orders the inserts of one save by key and the manager_id foreign key is checked per row.
    /// </summary>
    async Task<int> WriteAsync(List<Row> accepted, Dictionary<string, long> existing, string? hash, List<ImportRejection> rejected,
        IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var idOf = new Dictionary<string, long>(existing, StringComparer.Ordinal);
        int imported = 0, done = 0;
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            progress?.Report(new ImportProgress("importing", 0, accepted.Count));
            foreach (var batch in accepted.Chunk(BatchSize))
            {
                foreach (var row in batch)
                {
                    var p = row.Person;
                    p.Id = ids.Next();
                    p.ManagerId = row.ManagerKey is null ? null : idOf[row.ManagerKey];
                    p.PasswordHash = hash;
                    idOf[p.HandleKey] = p.Id;
                }
                imported += await SaveBatchAsync(batch, rejected, ct);
                done += batch.Length;
                progress?.Report(new ImportProgress("importing", done, accepted.Count));
            }
        }
        finally
        {
            db.ChangeTracker.Clear();
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
        return imported;
    }

    /// <summary>
    /// Saves one batch. If someone created a clashing handle or email while the import ran, the batch fails as a whole;
    /// it is then retried row by row so that only the clashing rows are rejected.
    /// </summary>
    async Task<int> SaveBatchAsync(Row[] batch, List<ImportRejection> rejected, CancellationToken ct)
    {
        db.People.AddRange(batch.Select(r => r.Person));
        try
        {
            await db.SaveChangesAsync(ct);
            return batch.Length;
        }
        catch (DbUpdateException)
        {
            // Fall through to the row-by-row retry below.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
        var saved = 0;
        foreach (var row in batch)
        {
            db.People.Add(row.Person);
            try
            {
                await db.SaveChangesAsync(ct);
                saved++;
            }
            catch (DbUpdateException e)
            {
                rejected.Add(new ImportRejection(row.Line, row.Person.Handle, $"could not be saved: {(e.InnerException ?? e).Message}"));
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
        return saved;
    }
}
