using Runner.Qemu;

namespace Runner.Host;

/// <summary>
/// Reads the host's capabilities. Everything file-based goes through Root so unit tests can
/// point it at recorded sysfs/procfs trees; only the QEMU parts touch the real machine.
/// </summary>
public static class HostProbe
{
    /// <summary>The file-based part only: no processes started.</summary>
    public static HostCaps ProbeFiles(string root)
    {
        var modules = KvmModules.Read(root);
        var cpuInfoPath = Path.Combine(root, "proc", "cpuinfo");
        var cpu = File.Exists(cpuInfoPath) ? CpuInfo.Parse(File.ReadAllText(cpuInfoPath)) : CpuInfo.Unknown;
        return new HostCaps
        {
            Root = root,
            Kvm = KvmDevice.Probe(root),
            Modules = modules,
            Apicv = InterruptVirtualization.Apicv(modules),
            Ipiv = InterruptVirtualization.Ipiv(modules),
            Avic = InterruptVirtualization.Avic(modules, cpu),
            Cpu = cpu,
            KvmX2Apic = KvmX2Apic(modules),
            KernelRelease = KernelRelease(root),
            // Only the real root can be inside an L1; a recorded tree is whatever it recorded.
            Nested = root == "/" ? NestedHost.Current : NestedHost.NotNested,
        };
    }

    /// <summary>Files, then QEMU's version, then (when KVM is usable and asked for) the boot probe.</summary>
    public static async Task<HostCaps> ProbeAsync(string root, string? qemuPath, bool bootGuest, CancellationToken cancel = default)
    {
        var caps = ProbeFiles(root);
        if (qemuPath is null)
            return caps with { QemuProblem = QemuBinary.InstallHint };

        var qemu = await QemuBinary.ProbeAsync(qemuPath);
        caps = caps with { Qemu = qemu };
        if (!bootGuest)
            return caps;
        if (!caps.Kvm.Available)
            return caps with { Guest = KvmGuestProbeResult.NotRun($"KVM unusable: {caps.Kvm.Detail}") };
        return caps with { Guest = await KvmGuestProbe.RunAsync(qemuPath, cancel) };
    }

    public static string KernelRelease(string root)
    {
        var path = Path.Combine(root, "proc", "sys", "kernel", "osrelease");
        try { return File.Exists(path) ? File.ReadAllText(path).Trim() : "unknown"; }
        catch (IOException) { return "unknown"; }
    }

    static Capability KvmX2Apic(KvmModules modules)
    {
        if (modules.Backend == KvmModules.None)
            return Capability.No("no KVM module is loaded");
        var hidden = modules.IsLoaded(KvmModules.Pvm) ? modules.Parameter(KvmModules.Pvm, "no_x2apic") : null;
        if (KvmModules.IsOn(hidden))
            return Capability.No("kvm_pvm loaded with no_x2apic=Y: guests see no x2APIC (reload kvm_pvm with no_x2apic=N)");
        return Capability.Yes($"{modules.Backend} emulates x2APIC for guests");
    }
}
