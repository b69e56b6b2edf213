using Runner.Config;
using Runner.Qemu;

namespace Runner.Tests.Qemu;

public class QemuCommandBuilderTests
{
    static readonly TestEntry Entry = UnitTestsParser.Parse("""
        [ipi]
        file = apic
        smp = 2
        append = apic=x2apic iters=100
        extra_params = -cpu 'host,kvm-pv-eoi=off' -global "a b=c"
        """, "f").Single();

    [Fact]
    public void BuildsTheDocumentedKvmCommandLine()
    {
        var argv = QemuCommandBuilder.Build(QemuCommandBuilder.ForTest(Entry, AccelKind.Kvm,
            "/usr/bin/qemu-system-x86_64", "/w/build/apic.elf", "/tmp/r/qmp.sock", "host"));

        Assert.Equal(
        [
            "/usr/bin/qemu-system-x86_64", "-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", "64", "-smp", "2",
            "-nodefaults", "-no-user-config", "-nographic", "-serial", "stdio", "-monitor", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", "/w/build/apic.elf",
            "-append", "cpus=2 apic=x2apic iters=100",
            "-qmp", "unix:/tmp/r/qmp.sock,server=on,wait=off",
            "-cpu", "host,kvm-pv-eoi=off", "-global", "a b=c",
        ], argv);
    }

    [Fact]
    public void TcgUsesCpuMaxWhateverTheKvmModel()
    {
        var argv = QemuCommandBuilder.Build(QemuCommandBuilder.ForTest(Entry with { ExtraParams = [] }, AccelKind.Tcg,
            "qemu", "k.elf", null, "host,-arch-capabilities"));

        Assert.Equal(["-accel", "tcg", "-cpu", "max"], argv.Skip(3).Take(4));
        Assert.DoesNotContain("-qmp", argv);
        Assert.DoesNotContain("host,-arch-capabilities", argv);
    }

    [Fact]
    public void UsesTheProbedKvmCpuModelAndConfiguredMachine()
    {
        var argv = QemuCommandBuilder.Build(QemuCommandBuilder.ForTest(Entry with { Machine = "q35", ExtraParams = [] }, AccelKind.Kvm,
            "qemu", "k.elf", null, "host,-arch-capabilities"));

        Assert.Equal(["-M", "q35", "-accel", "kvm", "-cpu", "host,-arch-capabilities"], argv.Skip(1).Take(6));
    }

    [Fact]
    public void AppendAlwaysStartsWithCpus()
    {
        var argv = QemuCommandBuilder.Build(QemuCommandBuilder.ForTest(Entry with { Smp = 1, Append = [] }, AccelKind.Kvm, "q", "k", null, "host"));
        Assert.Equal("cpus=1", argv[argv.ToList().IndexOf("-append") + 1]);
    }

    [Fact]
    public void ShellLineQuotesOnlyWhatNeedsIt()
    {
        Assert.Equal("qemu -append 'cpus=2 a=1' -global 'it'\\''s'",
            QemuCommandBuilder.ToShellLine(["qemu", "-append", "cpus=2 a=1", "-global", "it's"]));
    }
}
