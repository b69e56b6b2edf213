using Runner.Bench;
using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Workspace;

namespace Runner.Tests.Integration;

/// <summary>
/// build/ipi.elf under the installed QEMU with KVM: the sync points are answered, the counters
/// come from the real query-stats, and the run is usable for the table. Needs `make kernels`
/// and a usable /dev/kvm; filter out with --filter Category!=Qemu.
/// </summary>
[Trait("Category", "Qemu")]
public class IpiKernelTests
{
    const int Iterations = 200;

    [Fact]
    public async Task SyncPointsGiveRealCounterDeltas()
    {
        var root = RepoRoot.Find(null, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        var paths = ProjectPaths.For(root, null);
        if (!File.Exists(paths.KernelImage("ipi")))
            throw new InvalidOperationException("build/ipi.elf not found: run `make kernels` before these tests");
        var qemu = QemuBinary.Locate(null, null, Environment.GetEnvironmentVariable("PATH"))
            ?? throw new InvalidOperationException(QemuBinary.InstallHint);
        var caps = await HostCapsProbe.ProbeAsync("/", qemu, bootGuest: true);
        // Nothing to measure without KVM (the runner refuses TCG figures): skipped, not passed.
        Assert.SkipUnless(caps.Kvm.Available, $"no usable KVM ({caps.Kvm.Detail}): the ipi counters need /dev/kvm");
        var settings = new RunSettings { Paths = paths, Caps = caps, QemuPath = qemu, ForcedAccel = AccelMode.Kvm, KvmStats = true };
        var column = new IpiColumn(ApicMode.XApic, false, Want.Any);
        // Enough round trips that the batch's exits outweigh the spread of one sync handshake:
        // a boot whose handshake baseline exceeds its region gets no exits figure at all.
        var args = new IpiPlan { Columns = [column] }.GuestArgs(column, iterations: Iterations, warmup: 2);
        var entry = new TestEntry { Name = "ipi", File = "ipi", Smp = 2, Append = args, Accel = AccelMode.Kvm, Timeout = TimeSpan.FromSeconds(60) };

        var r = await TestExecutor.RunAsync(entry, settings, logName: "ipi_integration");
        var run = IpiAnalysis.ToRun(r, 1, column, IpiTarget.Spin, IpiKind.Unicast);

        Assert.Equal(Outcome.Pass, r.Outcome);
        Assert.True(run.Used, run.Excluded);
        var begin = KvmReading.Find(r.KvmReadings, IpiAnalysis.MeasureBegin)!;
        var end = KvmReading.Find(r.KvmReadings, IpiAnalysis.MeasureEnd)!;
        Assert.True(begin.IsAvailable, begin.Unavailable);
        Assert.True(end.IsAvailable, end.Unavailable);
        Assert.Equal(2, end.VcpuCount);
        Assert.True(end.VcpuValue("exits") >= begin.VcpuValue("exits"));
        Assert.NotNull(run.ExitsPerIpi);
        Assert.Contains("irq_injections", run.MeasureDelta!.Vcpu.Keys);
        Assert.Equal(Iterations, run.Metric(IpiAnalysis.Iterations));
    }
}
