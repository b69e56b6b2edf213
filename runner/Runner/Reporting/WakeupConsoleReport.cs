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
        return BenchHeaderLines.Of(r,
            $"Wake-up latency, send to handler on CPU 1 running and halted: {(s.Sources.Count == 0 ? "IPI, TSC-deadline timer, edu MSI" : string.Join(", ", s.Sources))}, " +
            $"{s.Runs} boot(s) per setting, {s.Samples} samples per row, gap {s.GapMicroseconds} us, {s.Cpus} vCPU(s)",
            s.Machine, s.ExtraParams);
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
