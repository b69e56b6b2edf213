using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Qemu;

namespace Runner.Reporting;

/// <summary>`runner caps`: every capability with its state and, when missing, why.</summary>
public static class CapsReport
{
    const int Pad = 22;

    public static void Write(HostCaps caps, TextWriter o)
    {
        Line(o, "KVM", caps.Kvm.Available ? $"usable — {caps.Kvm.Detail}" : $"unusable — {caps.Kvm.Detail}");
        Line(o, "KVM backend", caps.Backend == KvmModules.None
            ? "none — no kvm_* module under /sys/module"
            : $"{caps.Backend} (modules: {string.Join(", ", caps.Modules.Loaded)})");
        Line(o, "APICv", Describe(caps.Apicv));
        Line(o, "IPIv", Describe(caps.Ipiv));
        Line(o, "AVIC", Describe(caps.Avic));
        Line(o, "x2APIC (KVM guest)", Describe(caps.KvmX2Apic));
        Line(o, "CPU", $"{caps.Cpu.VendorId}, {caps.Cpu.ModelName}");
        foreach (var flag in CpuFlagReport.Flags)
        {
            var c = CpuFlagReport.Describe(caps.Cpu, flag);
            Line(o, "  " + flag, (c.Available ? "present — " : "absent — ") + c.Detail);
        }
        Line(o, "QEMU", caps.Qemu is null ? caps.QemuProblem : $"{caps.Qemu.Path} — {caps.Qemu.VersionText}");
        Line(o, "KVM -cpu", caps.Guest.CpuModel is null ? $"unknown — {caps.Guest.CpuModelDetail}" : $"{caps.Guest.CpuModel} — {caps.Guest.CpuModelDetail}");
        Line(o, "SSE in KVM guest", caps.Guest.SseReport);
        if (caps.GuestProbeOrigin.Length > 0)
            Line(o, "guest probe", caps.GuestProbeOrigin);
        if (caps.Nested.IsL1)
            Line(o, "L1 host", $"{caps.Where(kvm: true)} ({caps.Nested.Origin}); {caps.Nested.ScaleDetail}; {caps.Nested.FiguresCaveat}");
        // The values tests/errata.cfg `when =` conditions are matched against.
        Line(o, "errata facts", $"backend={caps.Backend} vendor={caps.Cpu.Vendor} qemu={caps.Qemu?.Version?.ToString() ?? "unknown"} kernel={Config.ConditionFacts.KernelVersion(caps.KernelRelease)?.ToString() ?? "unknown"} l1={caps.Nested.L1Fact} (accel= is per run)");

        o.WriteLine();
        o.WriteLine("requires (as unittests.cfg names them), under kvm / tcg:");
        foreach (var r in Requirement.All)
        {
            var kvm = RequirementCheck.Evaluate(r, caps, AccelKind.Kvm);
            var tcg = RequirementCheck.Evaluate(r, caps, AccelKind.Tcg);
            // Under KVM a requirement also needs KVM itself to be usable.
            var kvmOk = kvm.Available && caps.Kvm.Available;
            Line(o, "  " + r, $"kvm: {(kvmOk ? "yes" : "no")}, tcg: {(tcg.Available ? "yes" : "no")}" +
                              (kvmOk ? "" : $" — {(caps.Kvm.Available ? kvm.Detail : "KVM unusable")}"));
        }
    }

    static string Describe(Capability c) => c.Available ? $"available — {c.Detail}" : $"unavailable — {c.Detail}";

    static void Line(TextWriter o, string label, string text) => o.WriteLine($"{(label + ":").PadRight(Pad)} {text}");
}
