using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(Runner.Tests.Support.SlowCollectionsFirst))]

namespace Runner.Tests.Support;

/// <summary>
/// Starts the test classes that boot real kernels many times first, longest first. xunit
/// runs one class per thread, a thread per CPU, in this order; in the default order the
/// longest class (HostFaultTests, 15.7 s of one-at-a-time boots) started 10 s into a 25.5 s
/// run on 2 CPUs and ran alone for its last 7 s (TRX of `make test` at 058756a). Only the
/// start order changes: every test still runs, each class's tests still one at a time.
/// </summary>
public sealed class SlowCollectionsFirst : ITestCollectionOrderer
{
    /// <summary>
    /// Classes by their seconds in that TRX (tests summed), longest first; a class not named
    /// here keeps xunit's default order after them. SlowCollectionsFirstTests fails when one
    /// is renamed or gone, so none silently loses its head start.
    /// </summary>
    internal static readonly string[] Slowest =
    [
        "Runner.Tests.Faults.HostFaultTests",             // 15.7 s
        "Runner.Tests.Integration.PlainOutputTests",      // 8.9 s
        "Runner.Tests.Integration.IpiKernelTests",        // 3.3 s
        "Runner.Tests.Cli.CliTests",                      // 3.3 s
        "Runner.Tests.Integration.ProbeCacheRealTests",   // 3.3 s
        "Runner.Tests.Execution.ProcessRunnerTests",      // 2.1 s
    ];

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(
        IReadOnlyCollection<TTestCollection> testCollections) where TTestCollection : notnull, ITestCollection
    {
        // OrderBy is stable: the classes not named keep the default order among themselves.
        return DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections)
            .OrderBy(c => Rank(c)).ToList();
    }

    /// <summary>The class's place in <see cref="Slowest"/>, or after all of them.</summary>
    public static int Rank(ITestCollection collection)
    {
        var i = Array.FindIndex(Slowest, c => IsClass(collection, c));
        return i < 0 ? Slowest.Length : i;
    }

    /// <summary>Whether this is the collection xunit made for that class alone.</summary>
    public static bool IsClass(ITestCollection collection, string className) =>
        // A class without a [Collection] is its own collection, named after the class and
        // then an id: "Test collection for NS.Class (id: 812f…)".
        collection.TestCollectionDisplayName == "Test collection for " + className
        || collection.TestCollectionDisplayName.StartsWith("Test collection for " + className + " (", StringComparison.Ordinal);
}
