using System.Reflection;
using Runner.Tests.Support;

namespace Runner.Tests.Workspace;

/// <summary>The unit tests' start order (<see cref="SlowCollectionsFirst"/>) names real classes and finds them at run time.</summary>
public class SlowCollectionsFirstTests
{
    [Fact]
    public void EveryNamedClassExistsAndHasTests()
    {
        var testClasses = typeof(SlowCollectionsFirstTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .Select(t => t.FullName).ToHashSet();
        Assert.NotEmpty(SlowCollectionsFirst.Slowest);
        Assert.All(SlowCollectionsFirst.Slowest, n => Assert.Contains(n, testClasses));
    }

    [Fact]
    public void AClassIsKnownByTheCollectionXunitMakesForIt()
    {
        // The collection xunit made for this very class: what the orderer is given at run time.
        var own = TestContext.Current.TestCollection!;
        Assert.True(SlowCollectionsFirst.IsClass(own, typeof(SlowCollectionsFirstTests).FullName!), own.TestCollectionDisplayName);
        Assert.False(SlowCollectionsFirst.IsClass(own, "Runner.Tests.Faults.HostFaultTests"));
        Assert.Equal(SlowCollectionsFirst.Slowest.Length, SlowCollectionsFirst.Rank(own));
    }
}
