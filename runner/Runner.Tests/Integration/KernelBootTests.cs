using Runner.Cli;
using Runner.Workspace;

namespace Runner.Tests.Integration;

/// <summary>
/// Boots the real selftest and cpuid kernels (built by `make`) through the whole runner:
/// QEMU command, serial protocol, verdict, JUnit. `make test` builds them first.
/// </summary>
[Trait("Category", "Qemu")]
public class KernelBootTests
{
    static string Root()
    {
        var root = RepoRoot.Find(null, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        foreach (var k in new[] { "selftest", "cpuid" })
            if (!File.Exists(Path.Combine(root, "build", k + ".elf")))
                throw new InvalidOperationException($"build/{k}.elf not found: run `make` before these tests");
        return root;
    }

    [Theory]
    [InlineData("selftest", "cmdline.cpus_matches_online")]
    [InlineData("cpuid", "cpuid.apic_present")]
    public async Task KernelBootsAndPasses(string test, string expectedCheck)
    {
        var root = Root();
        var junit = Path.Combine(Path.GetTempPath(), $"kernelboot-{test}-{Guid.NewGuid():N}.xml");
        try
        {
            var status = await RunnerCli.RunAsync(["run", test, "--root", root, "--junit", junit]);

            Assert.Equal(ExitCodes.Success, status);
            var xml = await File.ReadAllTextAsync(junit);
            Assert.Contains($"name=\"{expectedCheck}\"", xml);
            Assert.DoesNotContain("<failure", xml);
        }
        finally
        {
            File.Delete(junit);
        }
    }

    [Fact]
    public async Task UnknownTestIsABadInputError()
    {
        var err = new StringWriter();
        var status = await RunnerCli.RunAsync(["run", "no-such-kernel", "--root", Root()], err);
        Assert.Equal(ExitCodes.UsageError, status);
        Assert.Contains("no-such-kernel", err.ToString());
    }
}
