using Runner.Reporting;

namespace Runner.Tests.Reporting;

/// <summary>A vmexit or wakeup table names its host, KVM, QEMU, kernel and command (recorded reports).</summary>
public class BenchHeaderLinesTests
{
    static string Fixture(string dir, string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", dir, name);

    [Fact]
    public void VmexitHeaderNamesHostKvmQemuKernelAndCommand()
    {
        var r = VmexitCompare.Load(Fixture("vmexit", "kvm-pvm-hang.json"));
        var lines = VmexitConsoleReport.HeaderLines(r);
        Assert.StartsWith("VM-exit micro-benchmarks (kvm-unit-tests x86/vmexit cases): ", lines[0]);
        AssertNames(lines, r);
    }

    [Fact]
    public void WakeupHeaderNamesHostKvmQemuKernelAndCommand()
    {
        var r = WakeupCompare.Load(Fixture("wakeup", "kvm-pvm.json"));
        var lines = WakeupConsoleReport.HeaderLines(r);
        Assert.StartsWith("Wake-up latency, send to handler on CPU 1 running and halted: ", lines[0]);
        AssertNames(lines, r);
    }

    static void AssertNames(IReadOnlyList<string> lines, Runner.Bench.BenchReport r)
    {
        Assert.Equal($"host:    {(r.Host.Where.Length > 0 ? r.Host.Where + "; " : "")}{r.Host.CpuModel} ({r.Host.CpuVendor}), Linux {r.Host.KernelRelease}", lines[1]);
        Assert.StartsWith($"KVM:     {r.Host.KvmBackend}; ", lines[2]);
        Assert.StartsWith($"QEMU:    {r.Host.QemuVersionText}, {r.Host.QemuPath}; -M ", lines[3]);
        Assert.StartsWith($"kernel:  {r.Kernel.Path} sha256 {r.Kernel.Sha256[..16]}…, runner {r.RunnerVersion}", lines[4]);
        Assert.StartsWith("command: ", lines[5]);
    }
}
