using Runner.Host;
using Runner.Tests.Cli;
using Runner.Workspace;

namespace Runner.Tests.Integration;

/// <summary>
/// The long runs with stdout a pipe, as in CI and `make test`: the real runner boots the real
/// kernels under KVM and prints plain lines, no escape code and no redrawn progress. Needs
/// `make kernels`; filter out with --filter Category!=Qemu.
/// </summary>
[Trait("Category", "Qemu")]
public class PlainOutputTests
{
    static string Root() => RepoRoot.Find(null, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);

    static void NeedsKernel(string name)
    {
        var kvm = HostProbe.ProbeFiles("/").Kvm;
        if (!kvm.Available) Assert.Skip($"needs KVM: {kvm.Detail}");
        if (!File.Exists(Path.Combine(Root(), "build", name + ".elf")))
            throw new InvalidOperationException($"build/{name}.elf not found: run `make kernels` before these tests");
    }

    [Fact]
    public async Task VmexitPrintsPlainBootLines()
    {
        NeedsKernel("vmexit");
        var (code, output, err) = await RunnerProcess.RunAsync(Root(), ["vmexit", "cpuid", "--no-apicv", "--runs", "1", "--batches", "2", "--ops", "4"]);

        Assert.True(code == 0, $"exit {code}: {err}\n{output}");
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\r', output);
        Assert.Contains("\n  APICv/AVIC off boot 1/1 PASS", output);
        Assert.DoesNotContain("running;", output);
    }

    [Fact]
    public async Task PveoiPrintsPlainBootLines()
    {
        NeedsKernel("irqload");
        var (code, output, err) = await RunnerProcess.RunAsync(Root(), ["pveoi", "--seconds", "1"]);

        Assert.True(code == 0, $"exit {code}: {err}\n{output}");
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\r', output);
        Assert.Contains("\nPV-EOI off: PASS", output);
        Assert.Contains("\nPV-EOI on: PASS", output);
        Assert.DoesNotContain("running (", output);
    }
}
