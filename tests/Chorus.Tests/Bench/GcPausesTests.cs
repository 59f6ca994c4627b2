extern alias bench;

using bench::Chorus.Bench.Run;

namespace Chorus.Tests.Bench;

/// <summary>How a run reads the server's GC pauses in a measured period from bench/StallProbe's file (bench/Chorus.Bench/Run/GcPauses.cs).</summary>
public sealed class GcPausesTests
{
    [Fact]
    public void Only_the_pauses_that_began_in_the_period_count()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file,
            [
                "gc 999999 50.00 1 promoted0=1 promoted1=2 gen2=3",  // before the period
                "gc 1000000 5.10 0 promoted0=3606 promoted1=0 gen2=431091",
                "late 1000100 12.0",                                  // not a pause
                "gc 1000400 20.47 1 promoted0=3737 promoted1=14584 gen2=445222",
                "gc 1001500 4.43 0",
                "gc 1001999 0.50 2",
                "gc 1002000 90.00 1",                                 // the period's end is not in it
                "gc garbled",
            ]);

            var pauses = GcPauses.Read(file, 1_000_000, 2.0)!;

            Assert.Equal(4, pauses.Count);
            Assert.Equal(5.10 + 20.47 + 4.43 + 0.50, pauses.TotalMs, 6);
            Assert.Equal(20.47, pauses.LongestMs);
            Assert.Equal(1, pauses.LongestGeneration);
            Assert.Equal([2, 1, 1], pauses.ByGeneration);
            Assert.Equal("server GC meanwhile: 4 pauses (gen0 2, gen1 1, gen2 1), 30 ms in all (1.5 % of the time), longest 20.5 ms (gen1)",
                pauses.Describe());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_server_without_the_probe_has_no_pauses_to_report()
    {
        Assert.Null(GcPauses.Read(Path.Combine(Path.GetTempPath(), $"no-such-probe-{Guid.NewGuid():N}.txt"), 0, 10));
        var quiet = new GcPauses(0, 0, 0, 0, [0, 0, 0], 20);
        Assert.Equal("server GC meanwhile: 0 pauses (gen0 0, gen1 0, gen2 0), 0 ms in all (0.0 % of the time)", quiet.Describe());
    }
}
