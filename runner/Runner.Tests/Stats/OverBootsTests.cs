using Runner.Stats;

namespace Runner.Tests.Stats;

public class OverBootsTests
{
    [Fact]
    public void MedianOfMediansLowestMinMedianOfP99s()
    {
        var s = OverBoots.Of([300, 100, 200, 900], [90, 40, 70], [400, 1000, 500]);
        Assert.Equal(250, s.Median);
        Assert.Equal(40, s.Min);
        Assert.Equal(500, s.P99);
        Assert.Equal([300, 100, 200, 900], s.Medians);
    }

    [Fact]
    public void NoMinOrP99ReportedGivesNone()
    {
        var s = OverBoots.Of([7], [], []);
        Assert.Equal(7, s.Median);
        Assert.Null(s.Min);
        Assert.Null(s.P99);
    }

    [Fact]
    public void NoBootIsAnError() => Assert.Throws<ArgumentException>(() => OverBoots.Of([], [1], [1]));
}
