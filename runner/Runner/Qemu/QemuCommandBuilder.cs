using Runner.Config;

namespace Runner.Qemu;

/// <summary>Builds QEMU's argv. Never a shell string: config values reach QEMU exactly as written.</summary>
public static class QemuCommandBuilder
{
    public const string DebugExitDevice = "isa-debug-exit,iobase=0xf4,iosize=0x04";
    public const string TcgCpuModel = "max";

    public static IReadOnlyList<string> Build(QemuRunSpec spec)
    {
        var argv = new List<string>
        {
            spec.QemuPath,
            "-M", spec.Machine,
            "-accel", spec.Accel.ToText(),
            "-cpu", spec.Accel == AccelKind.Kvm ? spec.KvmCpuModel : TcgCpuModel,
            "-m", spec.MemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-smp", spec.Smp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // No default devices or config files: the guest sees the same machine on every host.
            "-nodefaults", "-no-user-config",
            "-nographic",
            // microvm keeps its ISA COM1 under -nodefaults; the serial is the protocol channel.
            "-serial", "stdio",
            "-monitor", "none",
            // A triple fault resets the machine; without this QEMU reboots the guest over and over.
            // With it QEMU exits with status 0, which the judge reads as a reset.
            "-no-reboot",
            "-device", DebugExitDevice,
            "-kernel", spec.KernelPath,
            "-append", string.Join(' ', new[] { $"cpus={spec.Smp}" }.Concat(spec.Append)),
        };
        if (spec.QmpSocket is not null)
            argv.AddRange(["-qmp", $"unix:{spec.QmpSocket},server=on,wait=off"]);
        // Last, so a config can override anything above (QEMU takes the last -cpu, -m ...).
        argv.AddRange(spec.ExtraParams);
        return argv;
    }

    public static QemuRunSpec ForTest(TestEntry entry, AccelKind accel, string qemuPath, string kernelPath, string? qmpSocket, string kvmCpuModel) => new()
    {
        QemuPath = qemuPath,
        KernelPath = kernelPath,
        Accel = accel,
        Machine = entry.Machine,
        KvmCpuModel = kvmCpuModel,
        Smp = entry.Smp,
        Append = entry.Append,
        QmpSocket = qmpSocket,
        ExtraParams = entry.ExtraParams,
    };

    /// <summary>The argv as a line a person can paste into a shell (for logs only; never executed).</summary>
    public static string ToShellLine(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));

    static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./,=:+@%".Contains(c))
            ? arg
            : "'" + arg.Replace("'", "'\\''") + "'";
}
