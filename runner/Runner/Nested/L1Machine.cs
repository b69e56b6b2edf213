using System.Globalization;

namespace Runner.Nested;

/// <summary>The QEMU command line of the L1 host.</summary>
public static class L1Machine
{
    public const int Cpus = 2;
    public const string Memory = "2G";
    public const string HostRootTag = "hostroot";
    public const string ResultsTag = "results";
    public const string LogsTag = "logs";

    public static IReadOnlyList<string> Argv(string qemu, L1Accel accel, HostKernel kernel, string initramfs,
        string consoleLog, string resultsDir, string logsDir, IReadOnlyDictionary<string, IReadOnlyList<string>> kvmParams)
    {
        // Built-in modules take their parameters from the command line; loadable ones from modprobe in init.
        var moduleParams = KvmParams.AsKernelArguments(kvmParams);
        var cmdline = string.Join(' ', new[] { "console=ttyS0", "panic=-1", "quiet", "loglevel=4", "rdinit=/init" }.Concat(moduleParams));
        return
        [
            qemu, "-name", "ktest-l1", "-M", "q35", .. accel.QemuArgs,
            "-smp", Cpus.ToString(CultureInfo.InvariantCulture), "-m", Memory,
            "-nodefaults", "-no-user-config", "-display", "none", "-monitor", "none", "-no-reboot",
            // ttyS0: L1's console, to a file; ttyS1: the inner runner's output, to the outer runner.
            "-serial", "file:" + consoleLog, "-serial", "stdio",
            "-kernel", kernel.Image, "-initrd", initramfs, "-append", cmdline,
            "-virtfs", Share("/", HostRootTag, readOnly: true),
            "-virtfs", Share(resultsDir, ResultsTag, readOnly: false),
            "-virtfs", Share(logsDir, LogsTag, readOnly: false),
        ];
    }

    // The host root spans several filesystems: multidevs=remap keeps inode numbers unique across them.
    static string Share(string path, string tag, bool readOnly) =>
        $"local,path={path.Replace(",", ",,", StringComparison.Ordinal)},mount_tag={tag},security_model=none"
        + (readOnly ? ",readonly=on,multidevs=remap" : "");
}
