extern alias bench;

using bench::Chorus.Bench.Run;

namespace Chorus.Tests.Bench;

/// <summary>How a run describes PostgreSQL's checkpoints and log volume in a measured period (bench/Chorus.Bench/Run/DbActivity.cs).</summary>
public sealed class DbActivityTests
{
    [Fact]
    public void The_period_is_the_difference_of_two_readings_and_is_described_per_request()
    {
        var before = new DbActivity(10, 4, 1_000, 200, 1_000_000, 5_000, 1L << 30);
        var after = new DbActivity(10, 7, 31_000, 2_700, 1_600_000, 65_000, (1L << 30) + 300L * 1048576);

        var period = after.Minus(before);

        Assert.Equal(new DbActivity(0, 3, 30_000, 2_500, 600_000, 60_000, 300L * 1048576), period);
        Assert.Equal(
            "PostgreSQL meanwhile: 3 checkpoints started (3 forced by the log's volume); checkpoints ending in it wrote data " +
            "files for 30,000 ms and synced them for 2,500 ms; 300 MB of log (5.1 kB and 1.00 full-page images per request)",
            period.Describe(60_000));
    }

    [Fact]
    public void A_quiet_period_says_so_without_a_division_by_zero()
    {
        var quiet = new DbActivity(0, 0, 0, 0, 0, 0, 0);
        Assert.Equal("PostgreSQL meanwhile: 0 checkpoints started; 0 MB of log (0.0 kB and 0.00 full-page images per request)", quiet.Describe(0));
    }

    [Theory]
    [InlineData("16384", "8kB", "128MB")]
    [InlineData("1024", "MB", "1GB")]
    [InlineData("300", "s", "5min")]
    [InlineData("0.9", "", "0.9")]
    [InlineData("off", "", "off")]
    [InlineData("45", "s", "45s")]
    public void Settings_read_in_the_units_people_write_them_in(string value, string unit, string expected) =>
        Assert.Equal(expected, DbActivity.Setting(value, unit));
}
