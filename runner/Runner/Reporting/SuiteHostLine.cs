using System.Globalization;
using Runner.Host;

namespace Runner.Reporting;

/// <summary>The one line that names the host of a `runner run`: printed first and recorded in its JSON.</summary>
public static class SuiteHostLine
{
    public static string Of(HostCaps caps, bool anyKvm)
    {
        var qemu = caps.Qemu?.Version?.ToString() ?? "unknown version";
        if (!caps.Kvm.Available)
            return $"host: KVM unusable ({caps.Kvm.Detail}); tests that allow it run under TCG; QEMU {qemu}";
        if (!anyKvm)
            return $"host: KVM backend {caps.Backend}, not used by this selection; QEMU {qemu}";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"host: KVM usable, {caps.Where(kvm: true)}; -cpu {caps.KvmCpuModel} ({caps.Guest.CpuModelDetail}); SSE in guest: {caps.Guest.SseReport}; QEMU {qemu}");
        return caps.Nested.IsL1 ? $"{line}; {caps.Nested.FiguresCaveat}; {caps.Nested.ScaleDetail}" : line;
    }
}
