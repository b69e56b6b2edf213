namespace Runner.Host;

/// <summary>
/// Which KVM modules are loaded, read from /sys/module. The backend decides which
/// interrupt-virtualization features can exist at all: APICv/IPIv live in kvm_intel,
/// AVIC in kvm_amd, and kvm_pvm (software virtualization) has neither.
/// </summary>
public sealed record KvmModules(IReadOnlyList<string> Loaded, string SysModuleDir)
{
    public const string Intel = "kvm_intel";
    public const string Amd = "kvm_amd";
    public const string Pvm = "kvm_pvm";
    public const string None = "none";

    public static KvmModules Read(string root)
    {
        var dir = Path.Combine(root, "sys", "module");
        var loaded = Directory.Exists(dir)
            ? Directory.EnumerateDirectories(dir)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(n => n == "kvm" || n.StartsWith("kvm_", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
        return new KvmModules(loaded, dir);
    }

    /// <summary>The vendor module doing the virtualization; kvm itself is only the common core.</summary>
    public string Backend =>
        Loaded.Contains(Intel) ? Intel
        : Loaded.Contains(Amd) ? Amd
        : Loaded.Contains(Pvm) ? Pvm
        : Loaded.FirstOrDefault(n => n != "kvm") ?? None;

    public bool IsLoaded(string module) => Loaded.Contains(module);

    /// <summary>A module parameter's text, or null when the module or parameter does not exist.</summary>
    public string? Parameter(string module, string name)
    {
        var path = Path.Combine(SysModuleDir, module, "parameters", name);
        try { return File.Exists(path) ? File.ReadAllText(path).Trim() : null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Boolean parameters print Y/N; older int ones print 1/0.</summary>
    public static bool IsOn(string? value) => value is "Y" or "y" or "1";

    /// <summary>A tristate parameter left to the module's own choice (kvm_amd avic=-1 in kernels that pick AVIC by CPU).</summary>
    public static bool IsAuto(string? value) => value is "-1" or "auto";
}
