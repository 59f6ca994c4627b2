extern alias bench;

using bench::Chorus.Bench;
using bench::Chorus.Bench.Run;

namespace Chorus.Tests.Bench;

/// <summary>The disk probe beside the database's log (bench/Chorus.Bench/Run/DiskProbe.cs): finding the device, reading
/// what it wrote, and what a measured period says about its fsyncs and the load's slow seconds.</summary>
public sealed class DiskProbeTests
{
    static readonly string[] Mountinfo =
    [
        "23 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
        "24 23 0:22 / /proc rw,nosuid - proc proc rw",
        "25 23 0:30 / /tmp rw - tmpfs tmpfs rw",
        "26 23 254:16 / /var/lib/postgresql rw - ext4 /dev/vdb rw",
        "27 23 254:32 / /mnt/wal\\040disk rw - ext4 /dev/vdc rw",
    ];

    static readonly string[] Diskstats =
    [
        " 254       0 vda 1000 0 2000 10 5000 0 80000 900 0 100 1000",
        " 254      16 vdb 10 0 20 1 50 0 4096 9 0 10 10",
        " 254      32 vdc 10 0 20 1 50 0 1024 9 0 10 10",
    ];

    [Theory]
    [InlineData("/var/lib/postgresql/15/main", "vdb")]
    [InlineData("/var/lib/postgresql", "vdb")]
    [InlineData("/var/lib/postgresql-other", "vda")] // a prefix of the name, not of the path
    [InlineData("/work/data", "vda")]
    [InlineData("/mnt/wal disk/pg_wal", "vdc")]
    [InlineData("/tmp/bench-run", null)]              // tmpfs: no block device
    public void The_device_is_the_longest_mount_holding_the_path(string path, string? device) =>
        Assert.Equal(device, DiskProbe.DeviceOf(Mountinfo, path, Diskstats));

    [Fact]
    public void The_mount_of_a_path_is_named_by_its_numbers()
    {
        Assert.Equal("254:16", DiskProbe.MountOf(Mountinfo, "/var/lib/postgresql/15"));
        Assert.Equal("254:0", DiskProbe.MountOf(Mountinfo, "/var/lib"));
        Assert.Equal("0:30", DiskProbe.MountOf(Mountinfo, "/tmp/bench-pg"));
        Assert.Null(DiskProbe.MountOf([], "/tmp"));
    }

    [Fact]
    public void Bytes_written_are_the_sectors_written_times_512()
    {
        Assert.Equal(80_000L * 512, DiskProbe.BytesWritten(Diskstats, "vda"));
        Assert.Equal(4096L * 512, DiskProbe.BytesWritten(Diskstats, "vdb"));
        Assert.Null(DiskProbe.BytesWritten(Diskstats, "sda"));
    }

    [Fact]
    public void A_period_counts_its_stalls_and_the_slow_seconds_that_had_one()
    {
        const long from = 1_000_000;
        // 100 fsyncs a second for 3 s, 1 ms each, except a 120 ms one in second 1 and a 60 ms one in second 2.
        var syncs = Enumerable.Range(0, 300).Select(i => (At: from + i * 10L, Ms: 1.0)).ToList();
        syncs[150] = (from + 1500, 120);
        syncs[280] = (from + 2800, 60);
        syncs.Add((from - 5000, 500)); // before the period: not counted
        // The device wrote 10 MB a second, but 80 MB between 1.4 and 1.6 s.
        var written = new List<(long At, long Bytes)>();
        long bytes = 0;
        for (var t = 0; t <= 3000; t += 100)
        {
            written.Add((from + t, bytes));
            bytes += t == 1400 ? 80_000_000 : 1_000_000;
        }
        // Slow seconds: 1 (a stall in it) and 0 (none near it); second 2 is not slow despite its 60 ms fsync.
        double[] slowest = [150, 240, 40];

        var period = DiskPeriod.Of(syncs, written, from, 3.0, slowest)!;

        Assert.Equal(300, period.Syncs);
        Assert.Equal(1.0, period.P50Ms);
        Assert.Equal(120, period.LongestMs);
        Assert.Equal(2, period.Stalls);
        Assert.Equal(2, period.SlowSeconds);
        Assert.Equal(1, period.SlowSecondsWithStall);
        Assert.Equal(109.0 / 3.0, period.MeanMBps!.Value, 6);
        Assert.Equal(89, period.MostMBInASecond!.Value, 6);
        Assert.Contains("2 over 50 ms; 1 of the load's 2 seconds with a request over 100 ms had such an fsync", period.Describe(), StringComparison.Ordinal);
        Assert.Contains("the device wrote 36 MB/s, up to 89 MB in one second", period.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_period_without_fsyncs_is_null_and_without_device_samples_says_nothing_of_the_device()
    {
        Assert.Null(DiskPeriod.Of([(5, 1.0)], [], 1_000, 1.0, []));
        var period = DiskPeriod.Of([(1_000, 2.0), (1_010, 3.0)], [], 1_000, 1.0, [])!;
        Assert.Null(period.MeanMBps);
        Assert.DoesNotContain("device", period.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain("seconds with a request", period.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_machine_line_names_the_kernels_writeback_settings()
    {
        Dictionary<string, string> debian = new()
        {
            ["dirty_expire_centisecs"] = "3000", ["dirty_writeback_centisecs"] = "500",
            ["dirty_background_bytes"] = "0", ["dirty_background_ratio"] = "10",
        };
        Assert.Equal("kernel writeback of data older than 30 s, checked every 5 s, in the background from 10% of memory dirty",
            Machine.WritebackSettings(debian.GetValueOrDefault));
        Dictionary<string, string> tuned = new(debian)
        {
            ["dirty_expire_centisecs"] = "100", ["dirty_writeback_centisecs"] = "100", ["dirty_background_bytes"] = "67108864",
        };
        Assert.Equal("kernel writeback of data older than 1 s, checked every 1 s, in the background from 64 MB dirty",
            Machine.WritebackSettings(tuned.GetValueOrDefault));
        Assert.Null(Machine.WritebackSettings(_ => null));
    }

    [Fact]
    public void The_probe_syncs_in_the_directory_and_removes_its_file()
    {
        var dir = Directory.CreateTempSubdirectory("disk-probe-").FullName;
        try
        {
            var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using (var probe = DiskProbe.Start(dir))
            {
                Assert.NotNull(probe);
                Assert.Single(Directory.GetFiles(dir));
                DiskPeriod? period = null;
                for (var i = 0; i < 100 && period is not { Syncs: >= 5 }; i++)
                {
                    Thread.Sleep(50);
                    period = probe.Period(started, 60, []);
                }
                Assert.True(period is { Syncs: >= 5 }, "the probe made fewer than 5 fsyncs in 5 s");
                Assert.True(period!.LongestMs >= period.P50Ms);
            }
            Assert.Empty(Directory.GetFiles(dir));
            Assert.Null(DiskProbe.Start(Path.Combine(dir, "missing")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
