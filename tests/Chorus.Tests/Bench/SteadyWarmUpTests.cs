extern alias bench;

using bench::Chorus.Bench;

namespace Chorus.Tests.Bench;

/// <summary>When a closed loop's warm-up decides the server has stopped speeding up (bench/Chorus.Bench/LoadGenerator.cs).</summary>
public sealed class SteadyWarmUpTests
{
    [Fact]
    public void A_rate_that_still_rises_is_not_settled()
    {
        // W1 on a fresh server (bench/findings.md, eighth session): the tiered JIT lifts the rate for ~30 s.
        Assert.False(SteadyWarmUp.Settled([1458, 1721, 1985, 2309, 3255]));
        Assert.False(SteadyWarmUp.Settled([1458, 1721, 1985, 2309, 3255, 4407]));
    }

    [Fact]
    public void Two_windows_in_a_row_no_better_than_the_best_before_them_are_settled()
    {
        Assert.True(SteadyWarmUp.Settled([1458, 1721, 1985, 2309, 3255, 4407, 4482, 4470]));
        Assert.True(SteadyWarmUp.Settled([27000, 28000, 28100, 27900]));
    }

    [Fact]
    public void One_dip_is_not_enough_and_fewer_than_three_windows_never_are()
    {
        Assert.False(SteadyWarmUp.Settled([2000, 3000, 2900, 4000]));
        Assert.False(SteadyWarmUp.Settled([5000, 5000]));
        Assert.False(SteadyWarmUp.Settled([]));
    }
}
