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
        return new L1Accel("tcg", ["-accel", "tcg,thread=multi", "-cpu", "max"], $"TCG -cpu max, since this host cannot nest: {nested.Detail}");
    }
}
