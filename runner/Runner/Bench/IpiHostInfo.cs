using System.Security.Cryptography;
using Runner.Host;

namespace Runner.Bench;

/// <summary>Builds the report's record of the host and the kernel image from the probe and the files.</summary>
public static class IpiHostInfo
{
    public static IpiHost From(HostCaps caps)
    {
        var parameters = new SortedDictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var module in caps.Modules.Loaded)
            parameters[module] = AllParameters(caps.Modules.SysModuleDir, module);
        return new IpiHost
        {
            CpuVendor = caps.Cpu.VendorId,
            CpuModel = caps.Cpu.ModelName,
            CpuFlags = caps.Cpu.Flags.Order(StringComparer.Ordinal).ToList(),
            VmxFlags = caps.Cpu.VmxFlags.Order(StringComparer.Ordinal).ToList(),
            KernelRelease = caps.KernelRelease,
            Where = caps.Where(kvm: true),
            FiguresCaveat = caps.Nested.FiguresCaveat,
            Command = caps.Nested.CommandLine,
            KvmBackend = caps.Backend,
            KvmModules = caps.Modules.Loaded,
            ModuleParameters = parameters,
            Capabilities = new SortedDictionary<string, IpiCapability>(StringComparer.Ordinal)
            {
                ["kvm"] = new(caps.Kvm.Available, caps.Kvm.Detail),
                ["apicv"] = new(caps.Apicv.Available, caps.Apicv.Detail),
                ["ipiv"] = new(caps.Ipiv.Available, caps.Ipiv.Detail),
                ["avic"] = new(caps.Avic.Available, caps.Avic.Detail),
                ["x2apic (KVM guest)"] = new(caps.KvmX2Apic.Available, caps.KvmX2Apic.Detail),
                ["sse in KVM guest"] = new(caps.Guest.Sse == SseOutcome.Works, caps.Guest.SseReport),
            },
            QemuPath = caps.Qemu?.Path,
            QemuVersion = caps.Qemu?.Version?.ToString(),
            QemuVersionText = caps.Qemu?.VersionText,
            KvmCpuModel = caps.KvmCpuModel,
            KvmCpuModelDetail = caps.Guest.CpuModelDetail,
        };
    }

    /// <summary>Every readable parameter of a module (some are write-only or root-only: skipped).</summary>
    public static IReadOnlyDictionary<string, string> AllParameters(string sysModuleDir, string module)
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var dir = Path.Combine(sysModuleDir, module, "parameters");
        if (!Directory.Exists(dir)) return d;
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            try { d[Path.GetFileName(file)] = File.ReadAllText(file).Trim(); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return d;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
