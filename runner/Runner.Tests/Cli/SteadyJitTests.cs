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

    /// <summary>The restart itself, with the real runner: `ipi --help` replaces the process and still answers.</summary>
    [Fact]
    public async Task ATimingCommandRestartsItselfAndStillRuns()
    {
        var root = Runner.Workspace.RepoRoot.Find(null, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        var (code, output, err) = await RunnerProcess.RunAsync(root, ["ipi", "--help"], new Dictionary<string, string> { [SteadyJit.Variable] = "" });

        Assert.True(code == 0, err);
        Assert.Contains("--runs", output);
        Assert.DoesNotContain("could not restart", err);
    }
}
