using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Runner.Nested;

/// <summary>
/// The L1 host's initramfs: Debian's static busybox, the init script, and the kernel's own
/// modules for virtio-pci, 9p, overlay and KVM with their dependencies. Built once per
/// kernel and init script, and kept in the cache.
/// </summary>
public static class L1Initramfs
{
    /// <summary>What L1 loads before it can reach its job: the 9p transport and the overlay root.</summary>
    public static readonly IReadOnlyList<string> TransportModules = ["virtio_pci", "9pnet_virtio", "9p", "overlay"];
    /// <summary>Both vendors' modules: which one L1 loads depends on the CPU it is given.</summary>
    public static readonly IReadOnlyList<string> KvmModules = ["kvm_amd", "kvm_intel"];

    public static string InitScript()
    {
        using var stream = typeof(L1Initramfs).Assembly.GetManifestResourceStream("l1-init.sh")
            ?? throw new InvalidOperationException("l1-init.sh is not embedded in the runner");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static async Task<string> BuildAsync(HostKernel kernel, string busybox, string cacheDir, CancellationToken cancel)
    {
        var init = InitScript();
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', kernel.Image, kernel.ModulesDir ?? "", kernel.Release, init, busybox, File.GetLastWriteTimeUtc(busybox).Ticks,
            // A new runner build may pack differently (module order, modules.dep).
            typeof(L1Initramfs).Assembly.ManifestModule.ModuleVersionId))))[..16].ToLowerInvariant();
        var target = Path.Combine(cacheDir, $"initramfs-{kernel.Release}-{key}.cpio.gz");
        if (File.Exists(target))
            return target;

        IReadOnlyList<KernelModules.Module> modules = [];
        var transport = new List<string>();
        var files = new List<string>();
        if (kernel.ModulesDir is { } dir)
        {
            var index = KernelModules.Read(dir);
            transport.AddRange(TransportModules.Where(index.HasFile));
            files.AddRange(KvmModules.Where(index.HasFile));
            modules = await index.ClosureAsync([.. TransportModules, .. KvmModules.Where(m => index.HasFile(m) || index.IsBuiltin(m))], cancel);
            if (!KvmModules.Any(m => index.HasFile(m) || index.IsBuiltin(m)))
                throw new UserErrorException($"{dir} has neither kvm_amd nor kvm_intel: build the kernel with CONFIG_KVM_AMD or CONFIG_KVM_INTEL");
            files.AddRange(modules.Select(m => m.Name));
        }

        var tmp = target + $".{Environment.ProcessId}.tmp";
        await using (var file = File.Create(tmp))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            var cpio = new CpioWriter(gzip);
            foreach (var d in new[] { "bin", "dev", "proc", "sys", "host", "newroot", "rw", "results", "ktest", "lib", "lib/modules" })
                cpio.Directory(d);
            cpio.CharDevice("dev/console", 5, 1);
            cpio.File("init", Encoding.UTF8.GetBytes(init), mode: 0x1ED);
            cpio.File("bin/busybox", await File.ReadAllBytesAsync(busybox, cancel), mode: 0x1ED);
            cpio.File("ktest/transport-modules", Lines(transport));
            cpio.File("ktest/module-files", Lines(files.Distinct()));
            var root = $"lib/modules/{kernel.Release}";
            var made = new HashSet<string>(StringComparer.Ordinal) { "lib", "lib/modules" };
            void Dirs(string path)
            {
                var parent = Path.GetDirectoryName(path);
                if (string.IsNullOrEmpty(parent) || !made.Add(parent)) return;
                Dirs(parent);
                cpio.Directory(parent);
            }
            Dirs(root + "/x");
            foreach (var m in modules)
            {
                var path = $"{root}/{m.RelativePath}";
                Dirs(path);
                cpio.File(path, m.Bytes);
            }
            cpio.File($"{root}/modules.dep", Encoding.UTF8.GetBytes(KernelModules.ModulesDep(modules)));
            if (kernel.ModulesDir is { } md && File.Exists(Path.Combine(md, "modules.builtin")))
                cpio.File($"{root}/modules.builtin", await File.ReadAllBytesAsync(Path.Combine(md, "modules.builtin"), cancel));
            cpio.Finish();
        }
        File.Move(tmp, target, overwrite: true);
        return target;
    }

    static byte[] Lines(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
}
