using Runner.Execution;
using Runner.Host;
using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Tests.Support;

namespace Runner.Tests.Integration;

/// <summary>
/// The probe image and the command builder against the installed QEMU: proves the argv boots a
/// PVH kernel on microvm with a working serial and isa-debug-exit. Needs qemu-system-x86_64
/// (`make deps` installs it); filter out with --filter Category!=Qemu.
/// </summary>
[Trait("Category", "Qemu")]
public class RealQemuTests
{
    static string Qemu() =>
        QemuBinary.Locate(null, null, Environment.GetEnvironmentVariable("PATH"))
        ?? throw new InvalidOperationException(QemuBinary.InstallHint);

    [Fact]
    public async Task ProbeImageBootsUnderTcgAndExitsThroughIsaDebugExit()
    {
        using var tmp = new TempDir();
        var image = Path.Combine(tmp.Path, "probe.elf");
        await File.WriteAllBytesAsync(image, SseProbeImage.Build());
        var argv = QemuCommandBuilder.Build(new QemuRunSpec
        {
            QemuPath = Qemu(),
            KernelPath = image,
            Accel = AccelKind.Tcg,
            QmpSocket = Path.Combine(tmp.Path, "qmp.sock"),
        });

        var r = await ProcessRunner.RunAsync(argv, new ProcessLimits(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)));

        Assert.Equal(Termination.None, r.Termination);
        Assert.Equal(["SK"], r.Stdout);
        Assert.Equal(GuestExitStatus.AllPassed, r.ExitStatus);
    }

    [Fact]
    public async Task KvmGuestProbeAgreesWithDevKvm()
    {
        var files = HostProbe.ProbeFiles("/");
        var caps = await HostCapsProbe.ProbeAsync("/", Qemu(), bootGuest: true);

        if (!files.Kvm.Available)
        {
            Assert.Equal(SseOutcome.NotRun, caps.Guest.Sse);
            Assert.Skip("no usable /dev/kvm: the guest SSE probe could not boot");
        }
        // With a usable /dev/kvm some -cpu must boot, and the SSE question gets a definite answer.
        Assert.NotNull(caps.Guest.CpuModel);
        Assert.Contains(caps.Guest.Sse, new[] { SseOutcome.Works, SseOutcome.Faults });
        if (files.Backend == KvmModules.Pvm)
            Assert.Equal(SseOutcome.Faults, caps.Guest.Sse);
    }
}
