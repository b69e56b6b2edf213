using System.IO.Compression;

namespace Runner.Nested;

/// <summary>
/// The kernel modules of one release (a lib/modules/RELEASE folder): which exist as files,
/// which are built in, and the closure of what a set of modules needs, in load order.
/// </summary>
public sealed class KernelModules
{
    readonly string _dir;
    readonly Dictionary<string, string> _files;
    readonly HashSet<string> _builtin;

    KernelModules(string dir, Dictionary<string, string> files, HashSet<string> builtin)
    {
        _dir = dir;
        _files = files;
        _builtin = builtin;
    }

    /// <summary>The module name the kernel uses: file name without suffixes, dashes as underscores.</summary>
    public static string Normalize(string fileOrName)
    {
        var name = Path.GetFileName(fileOrName);
        foreach (var suffix in new[] { ".xz", ".gz", ".zst" })
            if (name.EndsWith(suffix, StringComparison.Ordinal)) name = name[..^suffix.Length];
        if (name.EndsWith(".ko", StringComparison.Ordinal)) name = name[..^3];
        return name.Replace('-', '_');
    }

    public static KernelModules Read(string modulesDir)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(modulesDir, "*.ko*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(modulesDir, file);
            if (rel.Contains(".ko", StringComparison.Ordinal))
                files.TryAdd(Normalize(rel), rel);
        }
        var builtinFile = Path.Combine(modulesDir, "modules.builtin");
        var builtin = File.Exists(builtinFile)
            ? File.ReadLines(builtinFile).Where(l => l.Length > 0).Select(Normalize).ToHashSet(StringComparer.Ordinal)
            : [];
        return new KernelModules(modulesDir, files, builtin);
    }

    public bool IsBuiltin(string name) => _builtin.Contains(Normalize(name));
    public bool HasFile(string name) => _files.ContainsKey(Normalize(name));

    /// <summary>One module file to pack: where it goes under lib/modules/RELEASE (always a plain .ko) and its bytes.</summary>
    public sealed record Module(string Name, string RelativePath, byte[] Bytes, IReadOnlyList<string> Depends);

    /// <summary>
    /// Every module file that <paramref name="roots"/> need, dependencies first. A root that is
    /// built in needs nothing; one that is neither built in nor a file is an error naming it.
    /// </summary>
    public async Task<IReadOnlyList<Module>> ClosureAsync(IEnumerable<string> roots, CancellationToken cancel)
    {
        var order = new List<Module>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
            await VisitAsync(Normalize(root), order, done, [], cancel);
        return order;
    }

    async Task VisitAsync(string name, List<Module> order, HashSet<string> done, HashSet<string> path, CancellationToken cancel)
    {
        if (done.Contains(name) || _builtin.Contains(name))
            return;
        if (!_files.TryGetValue(name, out var rel))
            throw new UserErrorException($"module {name} is neither a file under {_dir} nor in its modules.builtin: this kernel cannot host KVM guests over 9p (it needs kvm, virtio-pci, 9p and overlay)");
        if (!path.Add(name))
            throw new UserErrorException($"module {name} depends on itself through {string.Join(" -> ", path)}: the modules folder is inconsistent");
        var bytes = await LoadAsync(Path.Combine(_dir, rel), cancel);
        IReadOnlyList<string> depends;
        try { depends = ModInfo.Depends(bytes); }
        catch (InvalidDataException e) { throw new UserErrorException($"{Path.Combine(_dir, rel)}: {e.Message}: not a kernel module"); }
        foreach (var dep in depends)
            await VisitAsync(Normalize(dep), order, done, path, cancel);
        path.Remove(name);
        done.Add(name);
        var plain = rel[..(rel.IndexOf(".ko", StringComparison.Ordinal) + 3)];
        order.Add(new Module(name, plain, bytes, depends.Select(Normalize).ToList()));
    }

    /// <summary>Modules may be xz- or gzip-compressed; busybox's insmod takes them plain.</summary>
    static async Task<byte[]> LoadAsync(string file, CancellationToken cancel)
    {
        if (file.EndsWith(".ko", StringComparison.Ordinal))
            return await File.ReadAllBytesAsync(file, cancel);
        if (file.EndsWith(".gz", StringComparison.Ordinal))
        {
            await using var input = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            using var output = new MemoryStream();
            await input.CopyToAsync(output, cancel);
            return output.ToArray();
        }
        if (file.EndsWith(".xz", StringComparison.Ordinal))
            return await XzAsync(file, cancel);
        throw new UserErrorException($"{file}: only plain, .gz and .xz modules are supported: decompress it first");
    }

    static async Task<byte[]> XzAsync(string file, CancellationToken cancel)
    {
        var tmp = Path.Combine(Path.GetTempPath(), $"ktest-mod-{Environment.ProcessId}-{Guid.NewGuid():N}.ko");
        try
        {
            await Tool.RunAsync(["sh", "-c", "exec xz -dc -- \"$1\" > \"$2\"", "sh", file, tmp], cancel, "install xz-utils (apt-get install xz-utils)");
            return await File.ReadAllBytesAsync(tmp, cancel);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>modules.dep for the packed set, in depmod's format, so modprobe works in L1 and in its chroot.</summary>
    /// <param name="modules">dependencies first, as <see cref="ClosureAsync"/> returns them</param>
    public static string ModulesDep(IReadOnlyList<Module> modules)
    {
        var position = modules.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var lines = new List<string>();
        foreach (var m in modules)
        {
            var all = new HashSet<string>(StringComparer.Ordinal);
            Collect(m, modules, position, all);
            // modprobe loads a line's dependencies from the last to the first, so the ones
            // everything else needs go last.
            var deps = all.OrderByDescending(n => position[n]).Select(n => modules[position[n]].RelativePath);
            lines.Add(all.Count == 0 ? $"{m.RelativePath}:" : $"{m.RelativePath}: {string.Join(' ', deps)}");
        }
        return string.Join('\n', lines) + "\n";
    }

    static void Collect(Module m, IReadOnlyList<Module> modules, Dictionary<string, int> position, HashSet<string> into)
    {
        foreach (var dep in m.Depends)
            if (position.TryGetValue(dep, out var i) && into.Add(dep))
                Collect(modules[i], modules, position, into);
    }
}
