namespace Runner.Nested;

/// <summary>From what --host-kernel names to a kernel on disk: fetched and unpacked once for Debian's.</summary>
public static class HostKernelResolver
{
    public static async Task<HostKernel> ResolveAsync(HostKernelSpec spec, Action<string> note, CancellationToken cancel) => spec switch
    {
        HostKernelSpec.Debian d => await DebianAsync(d.Series, note, cancel),
        HostKernelSpec.Image i => Own(i),
        _ => throw new InvalidOperationException(spec.ToString()),
    };

    static async Task<HostKernel> DebianAsync(string series, Action<string> note, CancellationToken cancel)
    {
        var cache = NestedCache.Dir("host-kernels");
        var package = await DebianPackages.ResolveWithUpdateAsync(series, cancel)
            ?? DebianPackages.CachedKernelPackages(series, cache).FirstOrDefault()
            ?? throw new UserErrorException($"no Debian {series} kernel package is known to apt here and none is cached in {cache}: run `apt-get update` (as root) and try again");
        var tree = await DebianPackages.UnpackedAsync(package, cache, note, cancel);
        var image = Directory.EnumerateFiles(Path.Combine(tree, "boot"), "vmlinuz-*").SingleOrDefault()
            ?? throw new UserErrorException($"{tree}/boot has no vmlinuz: the cached package is damaged; delete {tree} and try again");
        var modules = Directory.EnumerateDirectories(Path.Combine(tree, "lib", "modules")).SingleOrDefault()
            ?? throw new UserErrorException($"{tree}/lib/modules holds no release: delete {tree} and try again");
        return new HostKernel(image, modules, Path.GetFileName(modules), $"Debian package {package}");
    }

    static HostKernel Own(HostKernelSpec.Image spec)
    {
        var release = BzImage.Release(File.ReadAllBytes(spec.Path))
            ?? throw new UserErrorException($"--host-kernel {spec.Path}: not a bzImage (no boot-protocol header): give arch/x86/boot/bzImage");
        return new HostKernel(spec.Path, spec.ModulesDir, release, $"kernel image {spec.Path}");
    }
}
