using Runner.Stats;

namespace Runner.Tests.Stats;

/// <summary>Statistics against values worked out by hand (shown in each test).</summary>
public class StatsTests
{
    const double Tol = 1e-9;

    [Fact]
    public void SummaryOfEightValues()
    {
        // 2 4 4 4 5 5 7 9: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
        // sample variance 32/7; median (4+5)/2 = 4.5.
        var s = Summary.Of([2, 4, 4, 4, 5, 5, 7, 9]);

        Assert.Equal(8, s.N);
        Assert.Equal(5, s.Mean, Tol);
        Assert.Equal(4.5, s.Median, Tol);
        Assert.Equal(Math.Sqrt(32.0 / 7), s.Stdev, Tol);
        Assert.Equal(2.138089935, s.Stdev, 1e-8);
        // CV = 2.138089935 / 5 * 100
        Assert.Equal(42.7617987, s.CvPercent, 1e-6);
        // CI half-width = t(0.975, 7) * s / sqrt(8) = 2.365 * 2.138089935 / 2.828427125 = 1.787772
        Assert.Equal(2.365 * Math.Sqrt(32.0 / 7) / Math.Sqrt(8), s.Ci95HalfWidth, Tol);
        Assert.Equal(1.787772, s.Ci95HalfWidth, 1e-6);
        Assert.Equal(5 - 1.787772, s.Ci95Low, 1e-6);
        Assert.Equal(5 + 1.787772, s.Ci95High, 1e-6);
        Assert.Equal(2, s.Min);
        Assert.Equal(9, s.Max);
    }

    [Fact]
    public void MedianOfAnOddCountIsTheMiddleValueOfTheSortedSample()
    {
        Assert.Equal(7, Summary.MedianOf([9, 1, 7, 8, 2]));
        Assert.Equal(3.5, Summary.MedianOf([4, 3]));
    }

    [Fact]
    public void OneValueHasNoSpreadRatherThanZero()
    {
        var s = Summary.Of([4713.0]);

        Assert.Equal(4713, s.Mean);
        Assert.Equal(4713, s.Median);
        Assert.True(double.IsNaN(s.Stdev));
        Assert.True(double.IsNaN(s.CvPercent));
        Assert.True(double.IsNaN(s.Ci95HalfWidth));
    }

    [Fact]
    public void EmptySampleIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Summary.Of(Array.Empty<double>()));
        Assert.Throws<ArgumentException>(() => Summary.MedianOf(Array.Empty<double>()));
    }

    [Theory]
    [InlineData(1, 12.706)]
    [InlineData(2, 4.303)]
    [InlineData(7, 2.365)]
    [InlineData(19, 2.093)]
    [InlineData(30, 2.042)]
    [InlineData(3.9, 3.182)]   // fractional df rounds down: the larger, more cautious value
    [InlineData(35, 2.042)]    // between 30 and 40: the value for 30
    [InlineData(40, 2.021)]
    [InlineData(119, 1.984)]   // between 100 and 120: the value for 100
    [InlineData(60, 2.000)]
    [InlineData(999, 1.980)]
    [InlineData(120, 1.980)]
    [InlineData(5000, 1.960)]
    public void StudentTCriticalValues(double df, double expected) =>
        Assert.Equal(expected, StudentT.Critical95(df), 1e-9);

    [Fact]
    public void StudentTNeedsOneDegreeOfFreedom() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StudentT.Critical95(0.5));

    [Fact]
    public void WelchEqualVariancesBelowTheCriticalValue()
    {
        // a = 1..5, b = 3..7: means 3 and 5, variances 2.5 each; se = sqrt(2.5/5 + 2.5/5) = 1;
        // t = 2; df = 1 / (0.5^2/4 + 0.5^2/4) = 8; t(0.975, 8) = 2.306 > 2: not significant.
        var r = Welch.Test(Summary.Of([1, 2, 3, 4, 5]), Summary.Of([3, 4, 5, 6, 7]));

        Assert.Equal(2, r.T, Tol);
        Assert.Equal(8, r.DegreesOfFreedom, Tol);
        Assert.Equal(2.306, r.Critical, Tol);
        Assert.False(r.Significant);
        Assert.True(r.Testable);
    }

    [Fact]
    public void WelchClearDifferenceIsSignificant()
    {
        // b = 6..10: t = 5 with df 8.
        var r = Welch.Test(Summary.Of([1, 2, 3, 4, 5]), Summary.Of([6, 7, 8, 9, 10]));

        Assert.Equal(5, r.T, Tol);
        Assert.True(r.Significant);
    }

    [Fact]
    public void WelchUnequalVariancesUseSatterthwaiteDegreesOfFreedom()
    {
        // a = 10 12 14: mean 12, var 4, n 3 -> 4/3. b = 20 30 40 50: mean 35, var 166.67, n 4 -> 41.667.
        // se^2 = 43; t = 23 / sqrt(43) = 3.50747; df = 43^2 / ((4/3)^2/2 + 41.667^2/3) = 3.19017,
        // rounded down to 3: t(0.975, 3) = 3.182 < 3.507: significant.
        var r = Welch.Test(Summary.Of([10, 12, 14]), Summary.Of([20, 30, 40, 50]));

        Assert.Equal(23 / Math.Sqrt(43), r.T, 1e-9);
        Assert.Equal(3.19017, r.DegreesOfFreedom, 1e-4);
        Assert.Equal(3.182, r.Critical, Tol);
        Assert.True(r.Significant);
    }

    [Fact]
    public void WelchSignFollowsTheDirectionOfChange()
    {
        var r = Welch.Test(Summary.Of([6, 7, 8, 9, 10]), Summary.Of([1, 2, 3, 4, 5]));
        Assert.Equal(-5, r.T, Tol);
        Assert.True(r.Significant);
    }

    [Fact]
    public void WelchNeedsTwoValuesPerSide()
    {
        var r = Welch.Test(Summary.Of([1.0]), Summary.Of([2, 3]));

        Assert.False(r.Testable);
        Assert.False(r.Significant);
        Assert.Equal("needs at least 2 values on each side (have 1 and 2)", r.NotTestable);
    }

    [Fact]
    public void WelchWithoutSpreadComparesTheConstants()
    {
        Assert.True(Welch.Test(Summary.Of([5, 5]), Summary.Of([6, 6])).Significant);
        Assert.False(Welch.Test(Summary.Of([5, 5]), Summary.Of([5, 5])).Significant);
    }

    [Fact]
    public void PercentChangeLikeThePatch()
    {
        // The patch's averages: (4713.1 - 6059) / 6059 = -22.2133%, (3644.8 - 4337.85) / 4337.85 = -15.9768%.
        Assert.Equal(-22.2133, Change.Percent(6059, 4713.1), 1e-4);
        Assert.Equal("-22.21%", Change.Format(Change.Percent(6059, 4713.1)));
        Assert.Equal("-15.98%", Change.Format(Change.Percent(4337.85, 3644.8)));
        Assert.Equal("+10.00%", Change.Format(Change.Percent(100, 110)));
        Assert.Equal("0.00%", Change.Format(Change.Percent(100, 100)));
    }

    [Fact]
    public void PercentRoundsHalfAwayFromZero()
    {
        // 0.125 and -0.125 are exact in binary: the midpoint goes away from zero.
        Assert.Equal("+0.13%", Change.Format(0.125));
        Assert.Equal("-0.13%", Change.Format(-0.125));
        Assert.Equal("-0.12%", Change.Format(-0.1249));
    }

    [Fact]
    public void PercentOfZeroBaselineIsNotANumber()
    {
        Assert.True(double.IsNaN(Change.Percent(0, 5)));
        Assert.Equal("n/a", Change.Format(double.NaN));
    }
}
