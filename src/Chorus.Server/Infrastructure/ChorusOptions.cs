namespace Chorus.Server.Infrastructure;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>The "Chorus" configuration section. Every key is documented in README.md with its environment-variable form.</summary>
public sealed class ChorusOptions
{
    public string DataDirectory { get; set; } = "./data";
    public DatabaseOptions Database { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
    public SecurityOptions Security { get; set; } = new();
    public StreamingOptions Streaming { get; set; } = new();
    public CacheOptions Cache { get; set; } = new();
    /// <summary>Node number 0..1023 for time-ordered ids; unset picks a random one at start.</summary>
    public int? NodeId { get; set; }
}

public sealed class DatabaseOptions
{
    public string Provider { get; set; } = nameof(DatabaseProvider.Sqlite);
    /// <summary>SQLite synchronous mode: FULL (default, survives power loss) or NORMAL (survives process crash only).</summary>
    public string SqliteSynchronous { get; set; } = "FULL";
}

public sealed class DemoOptions
{
    public bool Seed { get; set; }
    public string Password { get; set; } = "chorus-demo";
}

public sealed class SecurityOptions
{
    /// <summary>PBKDF2 iterations for password hashes. Lower only in tests.</summary>
    public int PasswordIterations { get; set; } = 100_000;
    public int MaxFailedSignIns { get; set; } = 5;
    public int LockoutMinutes { get; set; } = 15;
    public int SessionDays { get; set; } = 30;
    /// <summary>Requests per minute per client address for sign-in and token creation.</summary>
    public int SignInPerMinute { get; set; } = 20;
    /// <summary>Posts per minute per person.</summary>
    public int PostsPerMinute { get; set; } = 60;
}

public sealed class StreamingOptions
{
    public int MaxConnectionsPerPerson { get; set; } = 10;
    public int MaxStreamsPerConnection { get; set; } = 50;
    /// <summary>Messages queued for one slow client before its stream is closed (it then resumes by Last-Event-ID).</summary>
    public int OutboxCapacity { get; set; } = 2000;
    public int HeartbeatSeconds { get; set; } = 15;
    /// <summary>Events are kept at least this long...</summary>
    public int RetentionHours { get; set; } = 24;
    /// <summary>...and at least this many of the newest are kept, whichever keeps more.</summary>
    public int RetentionEvents { get; set; } = 100_000;
}

/// <summary>Sizes of the in-memory read caches (docs/adr/008-read-model.md): entries, not bytes.</summary>
public sealed class CacheOptions
{
    /// <summary>Rendered posts (about 2 KB each with their text and HTML).</summary>
    public int Posts { get; set; } = 100_000;
    /// <summary>Newest-post lists of authors, topics and groups, and people's follow lists (under 1 KB each).</summary>
    public int Feeds { get; set; } = 200_000;
    /// <summary>Signed-in credentials and people's name cards (a few hundred bytes each).</summary>
    public int People { get; set; } = 100_000;
    /// <summary>An entry is read again at the latest after this long even if nothing said it changed (each one after a
    /// random time between half of it and all of it, see ReadCache): a safety net for changes made outside the server
    /// (the CLI); changes made through any node are seen at once.</summary>
    public int TimeToLiveSeconds { get; set; } = 300;
}

/// <summary>The resolved, validated settings the rest of the server uses.</summary>
public sealed record ChorusSettings(
    string DataDirectory,
    DatabaseProvider Provider,
    string ConnectionString,
    string SqliteSynchronous,
    bool SeedDemo,
    string DemoPassword,
    SecurityOptions Security,
    StreamingOptions Streaming,
    int NodeId,
    bool NodeIdConfigured = false)
{
    public CacheOptions Cache { get; init; } = new();

    /// <summary>Reads and checks configuration; throws <see cref="InvalidConfigurationException"/> naming the bad setting.</summary>
    public static ChorusSettings From(IConfiguration config)
    {
        var o = new ChorusOptions();
        try { config.GetSection("Chorus").Bind(o); }
        catch (InvalidOperationException e)
        {
            // "Failed to convert configuration value at 'Chorus:Demo:Seed' to type 'System.Boolean'."
            var key = System.Text.RegularExpressions.Regex.Match(e.Message, "at '([^']+)'") is { Success: true } m ? m.Groups[1].Value : "Chorus";
            throw new InvalidConfigurationException(key, "has a value that is not valid for its type.");
        }

        if (!Enum.TryParse<DatabaseProvider>(o.Database.Provider, ignoreCase: true, out var provider))
            throw new InvalidConfigurationException("Chorus:Database:Provider", $"'{o.Database.Provider}' is not a provider; use Sqlite or Postgres.");
        if (string.IsNullOrWhiteSpace(o.DataDirectory))
            throw new InvalidConfigurationException("Chorus:DataDirectory", "must not be empty.");
        var sync = o.Database.SqliteSynchronous.ToUpperInvariant();
        if (sync is not ("FULL" or "NORMAL" or "EXTRA"))
            throw new InvalidConfigurationException("Chorus:Database:SqliteSynchronous", $"'{o.Database.SqliteSynchronous}' must be FULL, NORMAL or EXTRA.");
        if (o.Demo.Seed && string.IsNullOrWhiteSpace(o.Demo.Password))
            throw new InvalidConfigurationException("Chorus:Demo:Password", "must not be empty when Chorus:Demo:Seed is true.");
        if (o.Demo.Seed && o.Demo.Password.Length < 8)
            throw new InvalidConfigurationException("Chorus:Demo:Password", "must be at least 8 characters.");
        if (o.NodeId is < 0 or > 1023)
            throw new InvalidConfigurationException("Chorus:NodeId", "must be between 0 and 1023.");
        if (o.Security.PasswordIterations < 1)
            throw new InvalidConfigurationException("Chorus:Security:PasswordIterations", "must be positive.");

        var dataDir = Path.GetFullPath(o.DataDirectory);
        var cs = config.GetConnectionString("Chorus");
        if (provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(cs))
            throw new InvalidConfigurationException("ConnectionStrings:Chorus", "is required when Chorus:Database:Provider is Postgres.");
        if (provider == DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(cs))
            cs = $"Data Source={Path.Combine(dataDir, "chorus.db")}";
        try
        {
            if (provider == DatabaseProvider.Sqlite) _ = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(cs).ConnectionString;
            else cs = WithPreparedStatements(cs!);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new InvalidConfigurationException("ConnectionStrings:Chorus", e.Message);
        }

        var st = o.Streaming;
        foreach (var (name, value, min) in new[] { ("MaxConnectionsPerPerson", st.MaxConnectionsPerPerson, 1), ("MaxStreamsPerConnection", st.MaxStreamsPerConnection, 1),
                     ("OutboxCapacity", st.OutboxCapacity, 10), ("HeartbeatSeconds", st.HeartbeatSeconds, 1), ("RetentionHours", st.RetentionHours, 1), ("RetentionEvents", st.RetentionEvents, 100) })
            if (value < min) throw new InvalidConfigurationException($"Chorus:Streaming:{name}", $"must be at least {min}.");

        var cache = o.Cache;
        foreach (var (name, value, min) in new[] { ("Posts", cache.Posts, 100), ("Feeds", cache.Feeds, 100), ("People", cache.People, 100), ("TimeToLiveSeconds", cache.TimeToLiveSeconds, 1) })
            if (value < min) throw new InvalidConfigurationException($"Chorus:Cache:{name}", $"must be at least {min}.");

        return new ChorusSettings(dataDir, provider, cs!, sync, o.Demo.Seed, o.Demo.Password, o.Security, st,
            o.NodeId ?? Random.Shared.Next(0, 1024), o.NodeId is not null) { Cache = cache };
    }

    /// <summary>Statements prepared on each PostgreSQL connection unless the connection string sets its own number.</summary>
    public const int PostgresAutoPrepare = 100;

    /// <summary>
    /// PostgreSQL connections prepare the statements they run most (Npgsql's automatic preparation): the server runs
    /// the same few dozen statements over and over, and an unprepared statement is parsed and planned by PostgreSQL
    /// every time (W1 in bench/findings.md). A connection string that sets <c>Max Auto Prepare</c> keeps its own
    /// value (0 turns it off, e.g. behind a pooler that does not keep prepared statements).
    /// </summary>
    public static string WithPreparedStatements(string connectionString)
    {
        // Parsing checks the string (a bad one throws, named as a configuration error by the caller).
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        // Npgsql's builder answers ContainsKey for every keyword it knows, set or not: look at the keys given.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in given.Keys)
            if (key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)) return connectionString;
        builder.MaxAutoPrepare = PostgresAutoPrepare;
        return builder.ConnectionString;
    }
}

public sealed class InvalidConfigurationException(string setting, string problem)
    : Exception($"Invalid configuration: {setting} {problem}")
{
    public string Setting { get; } = setting;
}
