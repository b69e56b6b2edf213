using System.Globalization;
using Runner.Bench;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>One line per boot: progress that reads the same in a terminal, a log and CI.</summary>
public sealed class VmexitProgress(IAnsiConsole console) : IVmexitProgress
{
    public void ColumnStarted(VmexitColumn column, int runs) => console.WriteLine($"{column.Label}: {runs} boot(s)");
    public void ColumnSkipped(VmexitColumn column, string reason) => console.WriteLine($"{column.Label}: unavailable (reason under the table)");
    public void RunFinished(VmexitColumn column, VmexitRun run, int of)
    {
        int measured = run.Metrics.Keys.Count(k => k.EndsWith(".centicycles.median", StringComparison.Ordinal) && !k.Contains(".asm.", StringComparison.Ordinal));
        var line = $"  {column.Label} boot {run.Index}/{of} {run.Outcome} ({run.DurationSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s): " +
                   $"{measured} case(s) measured, {run.Skipped.Count} skipped";
        if (run.Hung is { } hung) line += $"; the guest never came back from {hung}: left out of the next boots";
        else if (run.Outcome != "PASS") line += $": {run.Reason}";
        console.WriteLine(line);
    }
}
