using System.Globalization;
using Runner.Bench;
using Runner.Protocol;

namespace Runner.Reporting;

/// <summary>
/// `runner vmexit` as the boots go: one line per boot (the same in a terminal, a log and CI),
/// and in a terminal a bar saying which setting's boot runs now and how many are left.
/// </summary>
public sealed class VmexitProgress(StepProgress progress, IReadOnlyList<VmexitColumn> columns, int runs) : IVmexitProgress
{
    int _done;
    int _skippedColumns;

    public static double Steps(IReadOnlyList<VmexitColumn> columns, int runs) => columns.Count * runs;

    public void ColumnStarted(VmexitColumn column, int of)
    {
        progress.Line($"{column.Label}: {of} boot(s)");
        progress.Status(Running(column, 1, of));
    }

    public void ColumnSkipped(VmexitColumn column, string reason)
    {
        _skippedColumns++;
        progress.Shrink(runs);
        progress.Line($"{column.Label}: unavailable (reason under the table)");
    }

    public void RunFinished(VmexitColumn column, VmexitRun run, int of)
    {
        _done++;
        progress.Advance();
        progress.Line(RunLine(column, run, of));
        if (run.Index < of) progress.Status(Running(column, run.Index + 1, of));
    }

    string Running(VmexitColumn column, int index, int of)
    {
        int left = (columns.Count - _skippedColumns) * runs - _done - 1;
        return $"vmexit: {column.Label} boot {index}/{of} running; {Math.Max(left, 0)} boot(s) left after it";
    }

    public static string RunLine(VmexitColumn column, VmexitRun run, int of)
    {
        int measured = run.Metrics.Keys.Count(k => k.EndsWith(".centicycles.median", StringComparison.Ordinal) && !k.Contains(".asm.", StringComparison.Ordinal));
        var line = $"  {column.Label} boot {run.Index}/{of} {run.Outcome.Label()} ({run.DurationSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s): " +
                   $"{measured} case(s) measured, {run.Skipped.Count} skipped";
        if (run.Hung is { } hung) line += $"; the guest never came back from {hung}: left out of the next boots";
        else if (run.Outcome != Outcome.Pass) line += $": {run.Reason}";
        return line;
    }
}
