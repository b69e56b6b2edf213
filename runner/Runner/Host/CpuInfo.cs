namespace Runner.Host;

/// <summary>The first processor block of /proc/cpuinfo; the flags are the same on every CPU we care about.</summary>
public sealed record CpuInfo(string VendorId, string ModelName, IReadOnlySet<string> Flags)
{
    public static readonly CpuInfo Unknown = new("unknown", "unknown", new HashSet<string>());

    /// <summary>The "vmx flags" line (Linux 5.8+ on Intel): VMX features such as apicv and ipi_virt; empty elsewhere.</summary>
    public IReadOnlySet<string> VmxFlags { get; init; } = new HashSet<string>();

    public bool Has(string flag) => Flags.Contains(flag);

    /// <summary>Whether /proc/cpuinfo lists VMX features at all (so the absence of one means something).</summary>
    public bool ListsVmxFeatures => VmxFlags.Count > 0;

    /// <summary>"intel", "amd" or "other", the spelling errata conditions use.</summary>
    public string Vendor => VendorId switch
    {
        "GenuineIntel" => "intel",
        "AuthenticAMD" or "HygonGenuine" => "amd",
        _ => "other",
    };

    public static CpuInfo Parse(string text)
    {
        string vendor = "unknown", model = "unknown";
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var vmxFlags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            // A blank line ends the first processor's block.
            if (line.Trim().Length == 0)
            {
                if (flags.Count > 0) break;
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "vendor_id": vendor = value; break;
                case "model name": model = value; break;
                case "flags":
                    foreach (var f in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        flags.Add(f);
                    break;
                case "vmx flags":
                    foreach (var f in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        vmxFlags.Add(f);
                    break;
            }
        }
        return new CpuInfo(vendor, model, flags) { VmxFlags = vmxFlags };
    }
}
