extern alias bench;

using bench::Chorus.Bench.Run;

namespace Chorus.Tests.Bench;

/// <summary>Where a measured period's CPU went (bench/Chorus.Bench/Run/CpuShare.cs): /proc's lines read, the shares in cores.</summary>
public sealed class CpuShareTests
{
    [Fact]
    public void The_machine_line_counts_every_tick_and_the_idle_and_stolen_ones()
    {
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        var (total, idle, steal) = CpuShare.Machine("cpu  100 5 50 800 20 3 2 10 7 0");
        Assert.Equal(100 + 5 + 50 + 800 + 20 + 3 + 2 + 10, total);
        Assert.Equal(820, idle);
        Assert.Equal(10, steal);
    }

    [Fact]
    public void A_process_line_gives_its_name_and_its_own_and_reaped_childrens_ticks()
    {
        // utime 40, stime 9, cutime 300, cstime 25 (fields 14–17), after a name with a space and a parenthesis.
        const string line = "4242 (postgres: a) b) S 1 4242 4242 0 -1 4194560 500 0 0 0 40 9 300 25 20 0 1 0 1234 1000 10 18446744073709551615";
        var p = CpuShare.Process(line)!.Value;
        Assert.Equal("postgres: a) b", p.Comm);
        Assert.Equal(40 + 9 + 300 + 25, p.Ticks);
        Assert.Null(CpuShare.Process("garbled"));
    }

    [Fact]
    public void The_shares_are_cores_of_the_period_and_other_is_what_no_named_process_took()
    {
        var before = new CpuShare.Sample(Total: 10_000, Idle: 4_000, Steal: 0, Server: 1_000, Postgres: 500, Self: 200);
        // 2 cores for 1 s at 100 ticks a second: 200 ticks; the server took 120, PostgreSQL 40, the generator 20,
        // 10 idle, 4 stolen, so 6 went elsewhere.
        var after = new CpuShare.Sample(Total: 10_200, Idle: 4_010, Steal: 4, Server: 1_120, Postgres: 540, Self: 220);

        var share = CpuShare.Between(before, after, 2)!;

        Assert.Equal(1.2, share.Server, 6);
        Assert.Equal(0.4, share.Postgres, 6);
        Assert.Equal(0.2, share.LoadGenerator, 6);
        Assert.Equal(0.06, share.Other, 6);
        Assert.Equal(0.1, share.Idle, 6);
        Assert.Equal(0.04, share.Steal, 6);
        Assert.Equal("the machine's 2 cores meanwhile: server 1.20, PostgreSQL 0.40, load generator 0.20, other 0.06, idle 0.10, stolen by the hypervisor 0.04",
            share.Describe());
        Assert.Null(CpuShare.Between(after, after, 2));
    }

    [Fact]
    public void This_machine_can_be_sampled()
    {
        if (!OperatingSystem.IsLinux()) return;
        var sample = CpuShare.Now(Environment.ProcessId)!;
        Assert.True(sample.Total > 0);
        Assert.True(sample.Server > 0); // this process stands in for the server: it has run
        // Both read this process, the second after the first (a busy machine may run it for a while in between); the
        // machine's ticks since boot count every core, idle ones too, so they are far more.
        Assert.True(sample.Self >= sample.Server);
        Assert.True(sample.Total > sample.Self);
    }
}
