namespace Chorus.Bench.Run;

/// <summary>
/// What a run records beside each measured period of a load, for its row: PostgreSQL's counters read at the period's
/// start and end (<see cref="DbActivity"/>, when <paramref name="PostgresAdmin"/> is set) and the server's GC pauses in
/// it (<see cref="GcPauses"/>, from the bench/StallProbe file <paramref name="GcFile"/>), and the disk under the
/// database's log (<see cref="DiskProbe"/>, when <paramref name="Disk"/> runs). The load generator applies it, so every
/// load of a workload carries all three.
/// </summary>
/// <param name="ServerPid">The server's process, for <see cref="CpuShare"/>: with it, each load also says where the
/// machine's CPU went.</param>
public sealed record PeriodProbe(string? PostgresAdmin, string? GcFile, DiskProbe? Disk = null, int? ServerPid = null)
{
    /// <summary>PostgreSQL's counters now; null without a database to read.</summary>
    public Task<DbActivity?> DatabaseAsync() =>
        PostgresAdmin is null ? Task.FromResult<DbActivity?>(null) : DbActivity.PostgresAsync(PostgresAdmin);

    /// <summary>The load's result with what the database did (<paramref name="database"/>), where the CPU went (<paramref name="cpu"/>), the server's GC pauses and the disk.</summary>
    /// <summary>The CPU counters now (<see cref="CpuShare"/>); null without a server to attribute them to.</summary>
    public CpuShare.Sample? CpuNow() => ServerPid is null ? null : CpuShare.Now(ServerPid);

    public LoadResult Annotate(LoadResult result, DbActivity? database, CpuShare? cpu = null) => result with
    {
        Database = database,
        Cpu = cpu,
        ServerGc = GcFile is null ? null : GcPauses.Read(GcFile, result.MeasuredFromUnixMs, result.Seconds),
        Disk = Disk?.Period(result.MeasuredFromUnixMs, result.Seconds, result.SlowestBySecond),
    };
}
