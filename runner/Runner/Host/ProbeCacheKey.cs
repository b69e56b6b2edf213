using System.Globalization;
using Runner.Qemu;

namespace Runner.Host;

/// <summary>
/// Everything that can change what the KVM guest probe finds: the QEMU binary (path, size,
/// mtime, version), the host kernel, every KVM module parameter, and the runner build itself.
/// Kept as named parts so a stale cache can say which part changed.
/// </summary>
public sealed record ProbeCacheKey(IReadOnlyList<KeyValuePair<string, string>> Parts)
{
    public const string Unreadable = "(unreadable)";

    public static ProbeCacheKey Compute(HostCaps files, QemuBinary qemu, string runnerBuild)
    {
        var parts = new List<KeyValuePair<string, string>>();
        // One line each: the cache file holds one part per line.
        void Add(string name, string value) => parts.Add(new(name, value.Replace('\r', ' ').Replace('\n', ' ')));

        var info = new FileInfo(qemu.Path);
        Add("qemu.path", qemu.Path);
        Add("qemu.size", info.Exists ? info.Length.ToString(CultureInfo.InvariantCulture) : "missing");
        Add("qemu.mtime", info.Exists ? info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "missing");
        Add("qemu.version", qemu.VersionText);
        Add("kernel.release", files.KernelRelease);
        // A CPU change under the same kernel (a migrated VM) can change what -cpu host means.
        Add("cpu.model", files.Cpu.ModelName);
        Add("cpu.flags", string.Join(' ', files.Cpu.Flags.Order(StringComparer.Ordinal)));
        Add("kvm.modules", string.Join(' ', files.Modules.Loaded));
        foreach (var module in files.Modules.Loaded)
            foreach (var (name, value) in Parameters(files.Modules.SysModuleDir, module))
                Add($"kvm.param.{module}.{name}", value);
        Add("runner.build", runnerBuild);
        return new ProbeCacheKey(parts);
    }

    /// <summary>The runner's version and its assembly's MVID: a rebuild with any change is a new runner.</summary>
    public static string RunnerBuild =>
        $"{RunnerVersion.Text} mvid={typeof(ProbeCacheKey).Assembly.ManifestModule.ModuleVersionId}";

    static IEnumerable<(string Name, string Value)> Parameters(string sysModuleDir, string module)
    {
        var dir = Path.Combine(sysModuleDir, module, "parameters");
        if (!Directory.Exists(dir))
            yield break;
        foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            string value;
            // Some parameters are write-only or root-only; their presence still belongs to the key.
            try { value = File.ReadAllText(file).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { value = Unreadable; }
            yield return (Path.GetFileName(file), value);
        }
    }

    /// <summary>What differs from an older key, as a person would say it; empty when equal.</summary>
    public IReadOnlyList<string> ChangesFrom(ProbeCacheKey older)
    {
        var before = older.Parts.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var now = Parts.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var changes = new List<string>();
        foreach (var (name, value) in Parts)
        {
            if (!before.TryGetValue(name, out var old))
                changes.Add($"{name} is new ({value})");
            else if (old != value)
                changes.Add($"{name} {Short(old)} -> {Short(value)}");
        }
        foreach (var (name, _) in older.Parts)
            if (!now.ContainsKey(name))
                changes.Add($"{name} is gone");
        return changes;
    }

    static string Short(string value) => value.Length <= 40 ? value : value[..37] + "...";
}
