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

    /// <summary>
    /// Files, then QEMU's version, then (when KVM is usable and asked for) the boot probe, whose
    /// answer comes from <paramref name="cache"/> while its key holds. The real host uses the
    /// user's cache unless told otherwise; a recorded tree never does (it is another machine).
    /// </summary>
    public static async Task<HostCaps> ProbeAsync(string root, string? qemuPath, bool bootGuest, CancellationToken cancel = default,
        ProbeCache? cache = null, bool refresh = false)
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

        cache ??= root == "/" ? ProbeCache.ForUser() : null;
        if (cache is null)
            return caps with { Guest = await KvmGuestProbe.RunAsync(qemuPath, cancel), GuestProbeOrigin = "probed now (no cache for a recorded tree)" };

        var key = ProbeCacheKey.Compute(caps, qemu, ProbeCacheKey.RunnerBuild);
        var lookup = cache.Read(key);
        if (!refresh && lookup is { State: ProbeCacheState.Hit, Result: { } cached })
            return caps with { Guest = cached, GuestProbeOrigin = $"cached in {lookup.Path} ({lookup.Detail})" };

        var why = refresh ? "--refresh" : lookup.State switch
        {
            ProbeCacheState.Missing => "nothing cached yet",
            ProbeCacheState.Stale => $"cache stale: {lookup.Detail}",
            _ => $"cache unusable: {lookup.Detail}",
        };
        var guest = await KvmGuestProbe.RunAsync(qemuPath, cancel);
        var saved = cache.Write(key, guest, DateTime.UtcNow)
            ? $"saved to {lookup.Path}"
            : ProbeCache.Worth(guest) ? $"could not save to {lookup.Path}" : "not cached: no definite answer";
        return caps with { Guest = guest, GuestProbeOrigin = $"probed now ({why}); {saved}" };
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
