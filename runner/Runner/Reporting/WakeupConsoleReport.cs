using Runner.Bench;
using Runner.Protocol;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>The human output of `runner wakeup`: what was measured where, the table, what its figures rest on.</summary>
public static class WakeupConsoleReport
{
    public static IReadOnlyList<string> HeaderLines(WakeupReport r)
    {
        var s = r.Settings;
        var h = r.Host;
        var lines = new List<string>
        {
            $"Wake-up latency, send to handler on CPU 1 running and halted: {(s.Sources.Count == 0 ? "IPI, TSC-deadline timer, edu MSI" : string.Join(", ", s.Sources))}, " +
            $"{s.Runs} boot(s) per setting, {s.Samples} samples per row, gap {s.GapMicroseconds} us, {s.Cpus} vCPU(s)",
            $"host:    {(h.Where.Length > 0 ? h.Where + "; " : "")}{h.CpuModel} ({h.CpuVendor}), Linux {h.KernelRelease}",
            $"KVM:     {h.KvmBackend}; {VmexitConsoleReport.Modules(h)}; guest -cpu {h.KvmCpuModel}",
            $"QEMU:    {h.QemuVersionText ?? "version unknown"}, {h.QemuPath}; -M {s.Machine} {string.Join(" ", s.ExtraParams)}",
            $"kernel:  {r.Kernel.Path} sha256 {r.Kernel.Sha256[..Math.Min(16, r.Kernel.Sha256.Length)]}…, runner {r.RunnerVersion}",
            $"command: {(h.Command.Length > 0 ? h.Command : "runner " + string.Join(' ', r.CommandLine))}",
        };
        if (h.FiguresCaveat.Length > 0)
            lines.Add($"note:    {h.FiguresCaveat}");
        return lines;
    }

    public static void WriteResults(IAnsiConsole console, WakeupReport r)
    {
        console.WriteLine();
        IpiConsoleReport.Write(console, WakeupTable.Build(r));
        foreach (var line in WakeupTable.FooterLines(r))
            console.WriteLine(line);
    }

    /// <summary>One line per boot: progress that reads the same in a terminal, a log and CI.</summary>
    public sealed class PlainProgress(IAnsiConsole console) : IWakeupProgress
    {
        public void ColumnStarted(VmexitColumn column, int runs) => console.WriteLine($"{column.Label}: {runs} boot(s)");
        public void ColumnSkipped(VmexitColumn column, string reason) => console.WriteLine($"{column.Label}: unavailable (reason under the table)");
        public void RunFinished(VmexitColumn column, WakeupRun run, int of)
        {
            int rows = run.Metrics.Keys.Count(k => k.StartsWith(WakeupAnalysis.Prefix, StringComparison.Ordinal) && k.EndsWith(".median", StringComparison.Ordinal));
            var line = $"  {column.Label} boot {run.Index}/{of} {run.Outcome.Label()} ({run.DurationSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s): " +
                       $"{rows} row(s) measured, {run.Skipped.Count} skipped, TSC {(run.Tsc.Synchronised switch { true => "synchronised", false => "NOT synchronised", _ => "unchecked" })}";
            if (run.Outcome != Outcome.Pass) line += $": {run.Reason}";
            console.WriteLine(line);
        }
    }
}
