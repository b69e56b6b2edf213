namespace Runner.Nested;

/// <summary>
/// What `--host-kernel K` names: a Debian kernel series fetched as a package, or a kernel
/// image of the user's own (a patched KVM host kernel, tested without rebooting).
/// </summary>
public abstract record HostKernelSpec
{
    /// <summary>A Debian 12 kernel series: "6.1" or "6.12".</summary>
    public sealed record Debian(string Series) : HostKernelSpec;

    /// <summary>A bzImage, with its modules folder (lib/modules/RELEASE) or null when KVM and 9p are built in.</summary>
    public sealed record Image(string Path, string? ModulesDir) : HostKernelSpec;

    public static readonly IReadOnlyList<string> DebianSeries = ["6.1", "6.12"];

    /// <exception cref="UserErrorException">K is neither a known series nor an existing file</exception>
    public static HostKernelSpec Parse(string value, string? modulesDir, string currentDir)
    {
        const string prefix = "debian-";
        if (value.StartsWith(prefix, StringComparison.Ordinal))
        {
            var series = value[prefix.Length..];
            if (!DebianSeries.Contains(series))
                throw new UserErrorException($"--host-kernel {value}: Debian kernels are {string.Join(" and ", DebianSeries.Select(s => prefix + s))}, or give the path of a bzImage");
            if (modulesDir is not null)
                throw new UserErrorException("--host-modules is for your own bzImage: a Debian kernel brings its modules");
            return new Debian(series);
        }
        var image = System.IO.Path.GetFullPath(value, currentDir);
        if (!File.Exists(image))
            throw new UserErrorException($"--host-kernel {value}: no such file; give debian-6.1, debian-6.12, or the path of a bzImage");
        string? modules = null;
        if (modulesDir is not null)
        {
            modules = System.IO.Path.GetFullPath(modulesDir, currentDir);
            if (!Directory.Exists(Path.Combine(modules, "kernel")) && !File.Exists(Path.Combine(modules, "modules.dep")))
                throw new UserErrorException($"--host-modules {modulesDir}: not a modules folder (it needs kernel/ or modules.dep, as /lib/modules/RELEASE has)");
        }
        return new Image(image, modules);
    }
}
