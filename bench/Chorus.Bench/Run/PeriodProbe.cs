namespace Chorus.Bench.Run;

/// <summary>
/// What a run records beside each measured period of a load, for its row: PostgreSQL's counters read at the period's
/// start and end (<see cref="DbActivity"/>, when <paramref name="PostgresAdmin"/> is set), where the machine's CPU went
/// (<see cref="CpuShare"/>, when <paramref name="ServerPid"/> names the server), the server's GC pauses in it
/// (<see cref="GcPauses"/>, from the bench/StallProbe file <paramref name="GcFile"/>), and the disk under the
/// database's log (<see cref="DiskProbe"/>, when <paramref name="Disk"/> runs). The load generator applies it, so every
/// load of a workload carries all four.
/// </summary>
public sealed record PeriodProbe(string? PostgresAdmin, string? GcFile, DiskProbe? Disk = null, int? ServerPid = null)
{
    /// <summary>The counters read at one end of a measured period.</summary>
    public sealed record Mark(DbActivity? Database, CpuShare.Sample? Cpu);

    /// <summary>The counters now: PostgreSQL's (null without a database to read) and the CPU's (null without a server).</summary>
    public async Task<Mark> MarkAsync() => new(
        PostgresAdmin is null ? null : await DbActivity.PostgresAsync(PostgresAdmin),
        ServerPid is null ? null : CpuShare.Now(ServerPid));

    /// <summary>The load's result with what the database did and where the CPU went between <paramref name="start"/>
    /// and <paramref name="end"/>, the server's GC pauses and the disk.</summary>
    public LoadResult Annotate(LoadResult result, Mark start, Mark end) => result with
    {
        Database = start.Database is { } a && end.Database is { } b ? b.Minus(a) : null,
        Cpu = start.Cpu is { } c && end.Cpu is { } d ? CpuShare.Between(c, d, Environment.ProcessorCount) : null,
        ServerGc = GcFile is null ? null : GcPauses.Read(GcFile, result.MeasuredFromUnixMs, result.Seconds),
        Disk = Disk?.Period(result.MeasuredFromUnixMs, result.Seconds, result.SlowestBySecond),
    };
}
