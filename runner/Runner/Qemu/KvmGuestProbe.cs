using Runner.Host;
using Runner.Processes;
using Runner.Protocol;

namespace Runner.Qemu;

/// <summary>
/// Boots <see cref="SseProbeImage"/> under KVM on microvm. It answers two questions no
/// file on the host answers: does `-cpu host` boot at all (QEMU 7.2 on kvm_pvm aborts on
/// IA32_ARCH_CAPABILITIES), and does SSE work in a guest (on kvm_pvm it stops QEMU with an
/// emulation failure). <see cref="HostCapsProbe"/> keeps its answer in a <see cref="ProbeCache"/>: two boots
/// cost more than the rest of a one-test run.
/// </summary>
public static class KvmGuestProbe
{
    public const string PreferredCpu = "host";
    // Dropping the MSR QEMU fails to set is the least change that lets -cpu host boot there.
    public const string FallbackCpu = "host,-arch-capabilities";

    static readonly ProcessLimits Limits = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

    public static async Task<KvmGuestProbeResult> RunAsync(string qemuPath, CancellationToken cancel = default)
    {
        var dir = ScratchDirs.Create("runner-probe-");
        try
        {
            var image = Path.Combine(dir, "sse-probe.elf");
            await File.WriteAllBytesAsync(image, SseProbeImage.Build(), cancel);

            var first = await BootAsync(qemuPath, image, PreferredCpu, cancel);
            if (GuestRan(first))
                return Interpret(first, PreferredCpu, "-cpu host boots");

            var why = FirstStderr(first) ?? GuestExitStatus.Describe(first.ExitStatus);
            var second = await BootAsync(qemuPath, image, FallbackCpu, cancel);
            if (GuestRan(second))
                return Interpret(second, FallbackCpu, $"-cpu host does not boot here ({why}); -cpu {FallbackCpu} does");

            var secondWhy = FirstStderr(second) ?? GuestExitStatus.Describe(second.ExitStatus);
            return new KvmGuestProbeResult(null, $"no KVM guest booted: -cpu host: {why}; -cpu {FallbackCpu}: {secondWhy}",
                SseOutcome.Unknown, "the probe guest never ran");
        }
        finally
        {
            ScratchDirs.Delete(dir);
        }
    }

    static Task<ProcessResult> BootAsync(string qemuPath, string image, string cpu, CancellationToken cancel) =>
        ProcessRunner.RunAsync(
            QemuCommandBuilder.Build(new QemuRunSpec
            {
                QemuPath = qemuPath,
                KernelPath = image,
                Accel = AccelKind.Kvm,
                KvmCpuModel = cpu,
            }),
            Limits, cancel: cancel);

    static bool GuestRan(ProcessResult r) => r.Stdout.Any(l => l.Contains(SseProbeImage.BeforeSse));

    static KvmGuestProbeResult Interpret(ProcessResult r, string cpu, string cpuDetail)
    {
        bool after = r.Stdout.Any(l => l.Contains($"{SseProbeImage.BeforeSse}{SseProbeImage.AfterSse}", StringComparison.Ordinal));
        if (after && r.ExitStatus == GuestExitStatus.AllPassed)
            return new(cpu, cpuDetail, SseOutcome.Works, "xorps ran and the guest exited");

        var kvmError = r.Lines.FirstOrDefault(l => l.Text.Contains(VerdictJudge.KvmInternalErrorText, StringComparison.Ordinal));
        if (kvmError is not null || r.Termination == Termination.KvmInternalError)
        {
            bool emulation = r.Lines.Any(l => l.Text.Contains("emulation failure", StringComparison.OrdinalIgnoreCase));
            return new(cpu, cpuDetail, SseOutcome.Faults, emulation ? "KVM internal error (emulation failure)" : "KVM internal error");
        }

        var status = r.Termination == Termination.None ? GuestExitStatus.Describe(r.ExitStatus) : r.TerminationDetail;
        return new(cpu, cpuDetail, SseOutcome.Unknown, $"guest printed '{SseProbeImage.BeforeSse}' but not '{SseProbeImage.AfterSse}'; {status}");
    }

    static string? FirstStderr(ProcessResult r) => r.Stderr.FirstOrDefault(l => l.Trim().Length > 0)?.Trim();
}
