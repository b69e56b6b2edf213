using Runner.Host;

namespace Runner.Nested;

/// <summary>How the L1 host itself is run: under KVM where this host nests, else under TCG.</summary>
public sealed record L1Accel(string Name, IReadOnlyList<string> QemuArgs, string Why)
{
    public static L1Accel Choose(HostCaps caps)
    {
        var nested = NestedVirtualization.Probe(caps);
        if (nested.Available)
            return new L1Accel("kvm", ["-accel", "kvm", "-cpu", "host"], nested.Detail);
        // TCG's `-cpu max` emulates SVM (with NPT), so L1 gets kvm_amd whatever this CPU is.
        // One TCG thread for all of L1's vCPUs: with a thread each (QEMU 7.2), a vCPU can run
        // a stale translation of code another vCPU is live-patching (Linux's INT3-based
        // static-key and jump-label updates), and L1 panics with "Oops: int3" in patched
        // code (seen twice in two runs, in __schedule and kvm_arch_vcpu_ioctl_run).
        return new L1Accel("tcg", ["-accel", "tcg,thread=single", "-cpu", "max"], $"TCG -cpu max, one TCG thread, since this host cannot nest: {nested.Detail}");
    }
}
