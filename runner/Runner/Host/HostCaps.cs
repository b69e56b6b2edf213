using Runner.Qemu;

namespace Runner.Host;

/// <summary>Everything `runner caps` knows about the host; also what requirement checks and errata conditions read.</summary>
public sealed record HostCaps
{
    public required string Root { get; init; }
    /// <summary>Whether /dev/kvm opens read-write.</summary>
    public required Capability Kvm { get; init; }
    public required KvmModules Modules { get; init; }
    public required Capability Apicv { get; init; }
    public required Capability Ipiv { get; init; }
    public required Capability Avic { get; init; }
    public required CpuInfo Cpu { get; init; }
    /// <summary>kvm_pvm's no_x2apic=Y hides x2APIC from guests; every other backend emulates it.</summary>
    public required Capability KvmX2Apic { get; init; }
    /// <summary>Null when QEMU was not found (QemuProblem says so).</summary>
    public QemuBinary? Qemu { get; init; }
    public string QemuProblem { get; init; } = "";
    public KvmGuestProbeResult Guest { get; init; } = KvmGuestProbeResult.NotRun("not requested");
    /// <summary>Whether <see cref="Guest"/> was probed now or read from the probe cache, and why.</summary>
    public string GuestProbeOrigin { get; init; } = "";

    /// <summary>The running kernel's release (/proc/sys/kernel/osrelease).</summary>
    public string KernelRelease { get; init; } = "unknown";
    /// <summary>Whether this is an L1 host an outer runner booted, and what that means for the figures.</summary>
    public NestedHost Nested { get; init; } = NestedHost.NotNested;

    public string Backend => Modules.Backend;

    /// <summary>Where a run under KVM (or TCG) here takes place, for every line and record that reports one.</summary>
    public string Where(bool kvm) => kvm
        ? Nested.Where(Backend, KernelRelease)
        : Nested.IsL1 ? $"TCG, in {Nested.InL1(KernelRelease)}" : "TCG";

    /// <summary>The -cpu to use under KVM: what the guest probe found boots, "host" when unprobed.</summary>
    public string KvmCpuModel => Guest.CpuModel ?? KvmGuestProbe.PreferredCpu;
}
