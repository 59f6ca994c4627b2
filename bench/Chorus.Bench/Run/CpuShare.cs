using System.Globalization;

namespace Chorus.Bench.Run;

/// <summary>
/// Where the machine's CPU went in a measured period, in cores: the server, PostgreSQL's processes (the database on
/// this machine, autovacuum workers included), the load generator (this process), everything else busy, idle, and
/// what the hypervisor took (steal). The client, the server and the database share two cores, so an open loop's tail
/// at a rate near what they can do together depends on who else took CPU meanwhile (bench/findings.md,
/// twenty-first session). Read from <c>/proc/stat</c> and each process's <c>/proc/PID/stat</c> at the period's start
/// and end.
/// </summary>
public sealed record CpuShare(int Cores, double Server, double Postgres, double LoadGenerator, double Other, double Idle, double Steal)
{
    /// <summary>The counters at one moment (clock ticks since boot, or since each process started).</summary>
    public sealed record Sample(long Total, long Idle, long Steal, long Server, long Postgres, long Self);

    /// <summary>The counters now; null where there is no /proc (not Linux).</summary>
    public static Sample? Now(int? serverPid)
    {
        if (!File.Exists("/proc/stat")) return null;
        var (total, idle, steal) = Machine(File.ReadLines("/proc/stat").First());
        long postgres = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0])) continue;
            if (Read(Path.Combine(dir, "stat")) is { } line && Process(line) is { Comm: "postgres" } p) postgres += p.Ticks;
        }
        long Of(int? pid) => pid is { } id && Read($"/proc/{id}/stat") is { } line && Process(line) is { } p ? p.Ticks : 0;
        return new Sample(total, idle, steal, Of(serverPid), postgres, Of(Environment.ProcessId));
    }

    static string? Read(string file)
    {
        try { return File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; } // gone meanwhile
    }

    /// <summary>The first line of /proc/stat: every tick of every core, the idle ones (idle and iowait) and stolen ones.</summary>
    public static (long Total, long Idle, long Steal) Machine(string cpuLine)
    {
        var f = cpuLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal [guest guest_nice: already counted in user and nice]
        var v = f.Skip(1).Take(8).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return (v.Sum(), v[3] + v[4], v.Length > 7 ? v[7] : 0);
    }

    /// <summary>A process's name and its CPU ticks, its own (utime, stime) and those of its children it has reaped
    /// (cutime, cstime): PostgreSQL's postmaster reaps the autovacuum workers and backends that exit, so their time
    /// stays counted after they are gone.</summary>
    public static (string Comm, long Ticks)? Process(string statLine)
    {
        // pid (comm) state ppid ... ; comm may hold spaces and parentheses, so split after the last ')'.
        var open = statLine.IndexOf('(', StringComparison.Ordinal);
        var close = statLine.LastIndexOf(')');
        if (open < 0 || close < open) return null;
        var f = statLine[(close + 2)..].Split(' ');
        // After the comm: state is field 3 of the man page, utime 14, stime 15, cutime 16, cstime 17.
        if (f.Length < 15) return null;
        long Field(int manIndex) => long.Parse(f[manIndex - 3], CultureInfo.InvariantCulture);
        return (statLine[(open + 1)..close], Field(14) + Field(15) + Field(16) + Field(17));
    }

    /// <summary>The shares between two samples, in cores of <paramref name="cores"/>; null when no time passed.</summary>
    public static CpuShare? Between(Sample before, Sample after, int cores)
    {
        var total = after.Total - before.Total;
        if (total <= 0) return null;
        double Cores(long ticks) => Math.Max(0, ticks) / (double)total * cores;
        var idle = after.Idle - before.Idle;
        var steal = after.Steal - before.Steal;
        var server = after.Server - before.Server;
        var postgres = after.Postgres - before.Postgres;
        var self = after.Self - before.Self;
        var other = total - idle - steal - server - postgres - self;
        return new CpuShare(cores, Cores(server), Cores(postgres), Cores(self), Cores(other), Cores(idle), Cores(steal));
    }

    static string F(double cores) => cores.ToString("F2", CultureInfo.InvariantCulture);

    public string Describe() =>
        $"the machine's {Cores} cores meanwhile: server {F(Server)}, " + (Postgres >= 0.005 ? $"PostgreSQL {F(Postgres)}, " : "") +
        $"load generator {F(LoadGenerator)}, other {F(Other)}, idle {F(Idle)}" + (Steal >= 0.005 ? $", stolen by the hypervisor {F(Steal)}" : "");
}
