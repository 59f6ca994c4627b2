using System.Data.Common;
using Chorus.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Chorus.Server.Data;

public static class DatabaseSetup
{
    public static IServiceCollection AddChorusDatabase(this IServiceCollection services, ChorusSettings settings)
    {
        if (settings.Provider == DatabaseProvider.Sqlite)
            Directory.CreateDirectory(Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString).DataSource) is { Length: > 0 } dir ? dir : ".");

        // Pooled: a request may now use two short-lived contexts (authentication, then its endpoint); pooling makes both cheap.
        services.AddDbContextPool<ChorusDb>((sp, o) => Configure(o, settings, sp.GetService<SqliteCheckpointer>() is not null)
            .AddInterceptors(new Features.Realtime.EventsWrittenInterceptor(sp.GetRequiredService<Features.Realtime.EventSignal>(), sp.GetRequiredService<ChangeObservers>())));
        // Whoever rents a request's context first — a service through RequestDb or one that takes ChorusDb itself — the
        // scope's RequestDb knows it was rented, so the post writer can tell a context nobody used from one with work.
        var pooled = services.Last(d => d.ServiceType == typeof(ChorusDb));
        var rent = pooled.ImplementationFactory ?? throw new InvalidOperationException("EF Core registered its pooled context without a factory.");
        services.Remove(pooled);
        services.AddScoped(sp =>
        {
            var db = (ChorusDb)rent(sp);
            sp.GetRequiredService<RequestDb>().Rented(db);
            return db;
        });
        services.AddScoped<RequestDb>();
        services.AddScoped<SchemaMigrator>();
        return services;
    }

    /// <summary>
    /// Opens a connection of the configured provider outside EF Core, with the per-connection settings EF Core's
    /// connections get (<see cref="SqlitePragmas"/>). Start-up work that only runs SQL — migrations, the node number,
    /// the readiness check — uses it, so the server can listen without waiting for EF Core to build its model and
    /// its query pipeline (about half a second of CPU, mostly JIT, at every start: W6 in bench/findings.md).
    /// </summary>
    /// <remarks>On PostgreSQL from <see cref="PostgresSource"/>, the pool EF Core uses too.</remarks>
    public static async Task<DbConnection> OpenConnectionAsync(ChorusSettings settings, CancellationToken ct)
    {
        if (settings.Provider != DatabaseProvider.Sqlite) return await PostgresSource(settings.ConnectionString).OpenConnectionAsync(ct);
        DbConnection connection = new Microsoft.Data.Sqlite.SqliteConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = SqlitePragmas.Sql(settings.SqliteSynchronous);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The process's one PostgreSQL data source (connection pool) for a connection string, EF Core's and the plain
    /// connections' alike. It does not load the database's types: Chorus uses only PostgreSQL's built-in types, and
    /// loading them is a catalog query and its parsing at each pool's first connection, at every start on the cores
    /// the start shares (W6 in bench/findings.md).
    /// </summary>
    public static Npgsql.NpgsqlDataSource PostgresSource(string connectionString) => PostgresSources.GetOrAdd(connectionString, static cs =>
    {
        var builder = new Npgsql.NpgsqlDataSourceBuilder(cs);
        builder.ConfigureTypeLoading(t => t.EnableTypeLoading(false));
        return builder.Build();
    });

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Npgsql.NpgsqlDataSource> PostgresSources = new();

    /// <param name="backgroundCheckpoint">SQLite: <see cref="SqliteCheckpointer"/> runs, so connections leave checkpoints to it.</param>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder o, ChorusSettings settings, bool backgroundCheckpoint = false)
    {
        if (settings.Provider == DatabaseProvider.Sqlite)
            o.UseSqlite(settings.ConnectionString).AddInterceptors(new SqlitePragmas(settings.SqliteSynchronous, backgroundCheckpoint));
        else
            o.UseNpgsql(PostgresSource(settings.ConnectionString));
        o.ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCustomizer, UtcModelCustomizer>();
        return o;
    }

    /// <summary>
    /// Applies per-connection SQLite settings: durability level and a busy timeout for concurrent writers.
    /// <para>EF Core opens and closes the connection around every query, and each open takes a pooled physical
    /// connection whose settings survive from its earlier uses. Running the three PRAGMAs on every open cost three
    /// more statements per query (about 50 per home-feed page, bench/findings.md W2), so they run once per physical
    /// connection, recognised by its native handle.</para>
    /// </summary>
    /// <para>Where <see cref="SqliteCheckpointer"/> runs (the server), connections do not checkpoint the log themselves.</para>
    sealed class SqlitePragmas(string synchronous, bool backgroundCheckpoint) : DbConnectionInterceptor
    {
        public static string Sql(string synchronous) => $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";

        readonly string _sql = Sql(synchronous) + (backgroundCheckpoint ? " PRAGMA wal_autocheckpoint=0;" : "");
        readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _applied = [];

        bool Pending(DbConnection connection) =>
            connection is not Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } || !_applied.TryGetValue(handle, out _);

        void Applied(DbConnection connection)
        {
            if (connection is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle }) _applied.AddOrUpdate(handle, this);
        }

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (!Pending(connection)) return;
            using var cmd = connection.CreateCommand();
            cmd.CommandText = _sql;
            cmd.ExecuteNonQuery();
            Applied(connection);
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (!Pending(connection)) return;
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = _sql;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            Applied(connection);
        }
    }

    /// <summary>SQLite hands DateTime back as Unspecified; everything in Chorus is UTC, so say so on the way out.</summary>
    sealed class UtcModelCustomizer(Microsoft.EntityFrameworkCore.Infrastructure.ModelCustomizerDependencies deps)
        : Microsoft.EntityFrameworkCore.Infrastructure.RelationalModelCustomizer(deps)
    {
        static readonly ValueConverter<DateTime, DateTime> Utc =
            new(v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        static readonly ValueConverter<DateTime?, DateTime?> UtcNullable =
            new(v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime()) : v,
                v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);

        public override void Customize(ModelBuilder modelBuilder, DbContext context)
        {
            base.Customize(modelBuilder, context);
            foreach (var entity in modelBuilder.Model.GetEntityTypes())
                foreach (var p in entity.GetProperties())
                {
                    if (p.ClrType == typeof(DateTime)) p.SetValueConverter(Utc);
                    else if (p.ClrType == typeof(DateTime?)) p.SetValueConverter(UtcNullable);
                }
        }
    }
}
