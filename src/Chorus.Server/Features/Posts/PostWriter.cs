using System.Threading.Channels;
using Chorus.Server.Data;
using Chorus.Server.Features.Realtime;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Server.Features.Posts;

/// <summary>
/// Group commit for new posts: concurrent requests hand over the rows their post adds (the post, its topics, mentions,
/// notifications and events), and one writer saves everything waiting in one transaction — one commit, one fsync and
/// no competition for SQLite's single write lock, however many people post at once (W1 in bench/findings.md). Each
/// request still answers only after its rows committed, and a batch that fails is retried one post at a time, so one
/// bad post never takes others down with it. A unit of work that changes existing rows, or runs inside the caller's
/// own transaction, is saved by the caller as before.
/// </summary>
public sealed class PostWriter(IServiceScopeFactory scopes, ChorusSettings settings, ChangeObservers observers, EventSignal signal, WrittenPosts written, WriterPause pause, ILogger<PostWriter> log) : IAsyncDisposable
{
    /// <summary>Posts per transaction at most: bounds the time one batch holds the write lock.</summary>
    public const int MaxBatch = 256;

    sealed record Unit(List<object> Rows, TaskCompletionSource Done);

    readonly Channel<Unit> _queue = Channel.CreateUnbounded<Unit>(new UnboundedChannelOptions { SingleReader = true });
    readonly CancellationTokenSource _stop = new();
    Task? _loop;

    /// <summary>
    /// The writer's own context, kept from batch to batch with its connection open, and used only by the loop. Opening
    /// a pooled SQLite connection registers EF Core's SQL functions on it again and closing it takes them off: with a
    /// context per batch that was ~1.9 kB of garbage and two round trips through the pool per post at 3,000 posts/s
    /// (bench/findings.md, twenty-fifth session). A batch that fails ends the session; the next one opens a new one.
    /// On PostgreSQL the one connection's statements are prepared by Npgsql after a few batches, on whatever the tables
    /// held then: the event numbering's plans must not depend on that (EventSequencer's NoSeqScans, twenty-sixth session).
    /// </summary>
    /// <remarks>On SQLite it also keeps its statements prepared: each table's INSERT and the event numbering's (<see cref="PreparedStatements"/>).</remarks>
    sealed record Session(AsyncServiceScope Scope, ChorusDb Db, PreparedStatements Statements);
    Session? _session;

    /// <summary>Saves the context's pending changes: through the writer when they are only new rows, else directly.</summary>
    public Task SaveAsync(ChorusDb db, CancellationToken ct) => SaveAsync(db, [], ct);

    /// <summary>
    /// Saves the context's pending changes and <paramref name="newRows"/>, rows the caller built but did not add to
    /// the context: a post's own rows need no change tracking (attaching them cost ~8% of the server's CPU per post,
    /// W1 in bench/findings.md). When the unit of work changes existing rows, or runs inside the caller's
    /// transaction, the new rows join the context and it is saved directly.
    /// </summary>
    /// <param name="db">Null when the request never used its context (<see cref="RequestDb.IfRented"/>): nothing is
    /// tracked and no transaction is open, so the rows go straight to the writer.</param>
    public async Task SaveAsync(ChorusDb? db, IReadOnlyCollection<object> newRows, CancellationToken ct)
    {
        var entries = db is null ? [] : db.ChangeTracker.Entries().ToList();
        if (db is not null && (db.Database.CurrentTransaction is not null || entries.Exists(e => e.State is EntityState.Modified or EntityState.Deleted)))
        {
            db.AddRange(newRows);
            await SaveSettledAsync(db, entries.Where(e => e.State == EntityState.Added).Select(e => e.Entity).Concat(newRows), ct);
            return;
        }
        var added = entries.FindAll(e => e.State == EntityState.Added);
        if (added.Count == 0 && newRows.Count == 0) return;
        List<object> rows = [.. newRows, .. added.Select(e => e.Entity)];
        // The rows now belong to the writer: the caller's context must not save them again.
        foreach (var entry in added) entry.State = EntityState.Detached;
        var unit = new Unit(rows, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_loop is null) lock (_queue) _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        if (!_queue.Writer.TryWrite(unit)) throw new InvalidOperationException("The post writer has stopped.");
        // Not cancellable once queued: the post is written whether or not its request is still waiting.
        await unit.Done.Task;
    }

    async Task RunAsync(CancellationToken stop)
    {
        try { await WriteAllAsync(stop); }
        finally { await EndSessionAsync(); }
    }

    async Task WriteAllAsync(CancellationToken stop)
    {
        var batch = new List<Unit>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stop))
        {
            // Waits while the SQLite checkpointer holds the writer to let the log start over (ADR 011); uncontended otherwise.
            using var turn = await pause.TurnAsync(stop);
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var unit)) batch.Add(unit);
            try { await WriteAsync(batch, stop); }
            catch (Exception e) when (batch.Count > 1 && e is not OperationCanceledException)
            {
                // One bad post fails the whole transaction: write each on its own, so only it fails.
                log.LogWarning(e, "A batch of {Count} posts failed; writing them one at a time", batch.Count);
                foreach (var unit in batch)
                {
                    try { await WriteAsync([unit], stop); }
                    catch (Exception one) { unit.Done.TrySetException(one); }
                }
            }
            catch (Exception e) { foreach (var unit in batch) unit.Done.TrySetException(e); }
            batch.Clear();
        }
    }

    async Task<Session> SessionAsync(CancellationToken stop)
    {
        if (_session is { } open) return open;
        var scope = scopes.CreateAsyncScope();
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            // Only new rows, never changed after they are added here: no need to scan them for changes (twice) on save.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            // Opened by us, so EF Core leaves it open after each transaction and query.
            await db.Database.OpenConnectionAsync(stop);
            return _session = new Session(scope, db, new PreparedStatements());
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    async Task EndSessionAsync()
    {
        if (_session is not { } session) return;
        _session = null;
        try
        {
            session.Statements.Dispose();
            await session.Db.Database.CloseConnectionAsync();
            await session.Scope.DisposeAsync();
        }
        catch (Exception e) { log.LogDebug(e, "Closing the post writer's connection failed"); }
    }

    async Task WriteAsync(List<Unit> units, CancellationToken stop)
    {
        var session = await SessionAsync(stop);
        try { await WriteAsync(session.Db, session.Statements, units, stop); }
        catch
        {
            // Whatever failed (a row, the connection), the next batch starts from a new context and connection.
            await EndSessionAsync();
            throw;
        }
        // Rows saved through EF Core stay tracked: forget them, so the context holds nothing from batch to batch.
        session.Db.ChangeTracker.Clear();
    }

    async Task WriteAsync(ChorusDb db, PreparedStatements statements, List<Unit> units, CancellationToken stop)
    {
        var rows = units.SelectMany(u => u.Rows).ToList();
        if (RowInserter.TryPlan(db, rows) is { } plan)
        {
            // Plain inserts, no change tracker: the rows are new and never change after they are handed over.
            var events = rows.OfType<ChangeEvent>().ToList();
            try
            {
                // READ COMMITTED on PostgreSQL whatever the server's default: the numbering reads the highest position
                // with a snapshot taken after the sequencer's lock is held (ADR 014).
                var postgres = settings.Provider == DatabaseProvider.Postgres;
                await using var tx = postgres
                    ? await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, stop)
                    : await db.Database.BeginTransactionAsync(stop);
                // Numbered as they are inserted, instead of rewritten by the sequencer after the commit (ADR 014). The
                // last thing before the inserts: on PostgreSQL the numbering holds the sequencer's lock until the commit.
                await EventSequencer.NumberNewAsync(db, events, postgres, stop, statements);
                await plan.ExecuteAsync(db, stop, statements);
                await PostAudience.SettleAsync(db, PostAudience.InGroups(rows), stop);
                await tx.CommitAsync(stop);
            }
            catch
            {
                // Not committed: the rows may be written again (one at a time), with keys and numbers of their own.
                plan.ForgetGeneratedKeys();
                foreach (var e in events) e.Seq = null;
                throw;
            }
            // What SaveChanges' interceptor does after a commit: the read models and the dispatcher hear of it at once.
            // The dispatcher takes the new posts from memory instead of reading them back (WrittenPosts).
            var changes = EventsWrittenInterceptor.ChangesOf(rows.Select(r => (r, true)));
            written.Add(changes);
            EventsWrittenInterceptor.Announce(changes, observers, signal, numbered: true);
        }
        else
        {
            db.AddRange(rows);
            await SaveSettledAsync(db, rows, stop);
        }
        foreach (var unit in units) unit.Done.TrySetResult();
    }

    /// <summary>Saves, settling the audience of the new posts in groups in the same transaction (<see cref="PostAudience"/>).</summary>
    static async Task SaveSettledAsync(ChorusDb db, IEnumerable<object> added, CancellationToken ct)
    {
        var inGroups = PostAudience.InGroups(added);
        if (inGroups.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        // The caller's transaction, if it has one; else one of our own.
        var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using (tx)
        {
            await db.SaveChangesAsync(ct);
            await PostAudience.SettleAsync(db, inGroups, ct);
            if (tx is not null) await tx.CommitAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            try { await _loop.WaitAsync(TimeSpan.FromSeconds(10)); }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException) { await _stop.CancelAsync(); }
        }
        _stop.Dispose();
    }
}

/// <summary>
/// A new post copies its group's audience (<see cref="Post.MembersOnly"/>) when the request reads the group, but the
/// group's kind may change before the post commits: GroupService updates the group row first and then every post in
/// it, and that second statement cannot see a post not yet committed. So, inside the post's own transaction, the
/// audience is read again from the group row — locked FOR SHARE on PostgreSQL, so a kind change in flight is waited
/// for; SQLite's single writer orders the two anyway — and corrected where it differs, on the row and on the entity,
/// before anything (events, the read model, the response) uses it.
/// </summary>
public static class PostAudience
{
    sealed class Row
    {
        public long Id { get; set; }
        public bool MembersOnly { get; set; }
    }

    /// <summary>The kinds whose posts only members read, as SQL: the rule of <see cref="Group.IsMembersOnly"/>.</summary>
    static readonly string MembersOnlyKinds = string.Join(", ",
        Enum.GetValues<GroupKind>().Where(Group.IsMembersOnly).Select(k => ((int)k).ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The new posts among <paramref name="rows"/> that belong to a group: the ones to settle.</summary>
    public static List<Post> InGroups(IEnumerable<object> rows) => [.. rows.OfType<Post>().Where(p => p.GroupId is not null)];

    public static async Task SettleAsync(ChorusDb db, IReadOnlyList<Post> posts, CancellationToken ct)
    {
        if (posts.Count == 0) return;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var postIds = string.Join(",", posts.Select(p => p.Id.ToString(inv)));
        string sql;
        if (db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true)
        {
            var groupIds = string.Join(",", posts.Select(p => p.GroupId!.Value).Distinct().Select(g => g.ToString(inv)));
            sql = $"""
                UPDATE posts AS p SET members_only = g.kind IN ({MembersOnlyKinds})
                FROM (SELECT id, kind FROM groups WHERE id IN ({groupIds}) FOR SHARE) AS g
                WHERE p.group_id = g.id AND p.id IN ({postIds}) AND p.members_only <> (g.kind IN ({MembersOnlyKinds}))
                RETURNING p.id AS "Id", p.members_only AS "MembersOnly"
                """;
        }
        else
        {
            sql = $"""
                UPDATE posts SET members_only = (SELECT kind IN ({MembersOnlyKinds}) FROM groups WHERE groups.id = posts.group_id)
                WHERE id IN ({postIds}) AND members_only <> (SELECT kind IN ({MembersOnlyKinds}) FROM groups WHERE groups.id = posts.group_id)
                RETURNING id AS "Id", members_only AS "MembersOnly"
                """;
        }
        var changed = await db.Database.SqlQueryRaw<Row>(sql).ToListAsync(ct);
        if (changed.Count == 0) return;
        var byId = posts.ToDictionary(p => p.Id);
        foreach (var row in changed) byId[row.Id].MembersOnly = row.MembersOnly;
    }
}
