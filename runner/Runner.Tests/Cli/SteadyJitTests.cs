using Runner.Cli;

namespace Runner.Tests.Cli;

public class SteadyJitTests
{
    [Theory]
    [InlineData(new[] { "ipi", "--runs", "3" }, null, true)]
    [InlineData(new[] { "--host-kernel", "debian-6.12", "vmexit" }, null, true)]
    [InlineData(new[] { "wakeup" }, null, true)]
    [InlineData(new[] { "pveoi" }, null, true)]
    [InlineData(new[] { "ipi" }, "0", false)]
    [InlineData(new[] { "ipi" }, "1", false)]
    [InlineData(new[] { "run", "selftest" }, null, false)]
    [InlineData(new[] { "caps" }, null, false)]
    public void OnlyTheTimingCommandsReexecuteAndOnlyOnce(string[] args, string? variable, bool expected) =>
        Assert.Equal(expected, SteadyJit.Wanted(args, variable));
}
