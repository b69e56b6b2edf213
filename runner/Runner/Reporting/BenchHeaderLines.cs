using Runner.Bench;

namespace Runner.Reporting;

/// <summary>The lines above a vmexit or wakeup table that name its host, KVM, QEMU, kernel and command, from the report's header.</summary>
public static class BenchHeaderLines
{
    /// <param name="title">The first line: what the table measures, and how often.</param>
    /// <param name="machine">The QEMU machine the VMs ran (-M) and the parameters added to it.</param>
    public static IReadOnlyList<string> Of(BenchReport r, string title, string machine, IReadOnlyList<string> extraParams)
    {
        var h = r.Host;
        var lines = new List<string>
        {
            title,
            $"host:    {(h.Where.Length > 0 ? h.Where + "; " : "")}{h.CpuModel} ({h.CpuVendor}), Linux {h.KernelRelease}",
            $"KVM:     {h.KvmBackend}; {VmexitConsoleReport.Modules(h)}; guest -cpu {h.KvmCpuModel}",
            $"QEMU:    {h.QemuVersionText ?? "version unknown"}, {h.QemuPath}; -M {machine} {string.Join(" ", extraParams)}",
            $"kernel:  {r.Kernel.Path} sha256 {r.Kernel.Sha256[..Math.Min(16, r.Kernel.Sha256.Length)]}…, runner {r.RunnerVersion}",
            $"command: {(h.Command.Length > 0 ? h.Command : "runner " + string.Join(' ', r.CommandLine))}",
        };
        if (h.FiguresCaveat.Length > 0)
            lines.Add($"note:    {h.FiguresCaveat}");
        return lines;
    }
}
