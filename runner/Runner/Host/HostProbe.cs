namespace Runner.Host;

/// <summary>
/// Reads the host's capabilities. Everything file-based goes through Root so unit tests can
/// point it at recorded sysfs/procfs trees; the parts that start QEMU are in Qemu/HostCapsProbe.
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
