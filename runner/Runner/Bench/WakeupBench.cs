using Runner.Counters;
using Runner.Execution;
using Runner.Host;

namespace Runner.Bench;

/// <summary>What `runner wakeup` was asked to measure.</summary>
public sealed record WakeupPlan
{
    public required IReadOnlyList<VmexitColumn> Columns { get; init; }
    /// <summary>Sources to run (ipi, timer, msi); empty: all.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];
    public int Runs { get; init; } = 3;
    public int Samples { get; init; } = 200;
    public int GapMicroseconds { get; init; } = 1000;

    /// <summary>The guest command line for one boot (sync=1: the runner marks the APICv trace around the measurement).</summary>
    public IReadOnlyList<string> GuestArgs()
    {
        var args = new List<string> { $"samples={Samples}", $"gap_us={GapMicroseconds}", "sync=1" };
        if (Sources.Count > 0) args.Add($"only={string.Join(",", Sources)}");
        return args;
    }
}

/// <summary>Progress as the boots go.</summary>
public interface IWakeupProgress
{
    void ColumnStarted(VmexitColumn column, int runs);
    void RunFinished(VmexitColumn column, WakeupRun run, int of);
    void ColumnSkipped(VmexitColumn column, string reason);
}

/// <summary>
/// Runs the columns: checks each against the host right before it runs, boots the kernel
/// `Runs` times, judges what the VM saw of APICv/AVIC against the column's label, and keeps
/// every boot with the rows' figures.
/// </summary>
public sealed class WakeupBench
{
    public delegate Task<(TestRunResult Result, ApicvObservation? Apicv)> Boot(VmexitColumn column, string logName, IReadOnlyList<string> guestArgs, CancellationToken cancel);

    public required Boot BootOnce { get; init; }
    public required Func<HostCaps> ProbeHost { get; init; }
    public IWakeupProgress? Progress { get; set; }

    public sealed record Outcome(IReadOnlyList<WakeupColumnResult> Columns, bool Interrupted);

    public async Task<Outcome> RunAsync(WakeupPlan plan, CancellationToken cancel)
    {
        var results = new List<WakeupColumnResult>();
        foreach (var column in plan.Columns)
        {
            if (cancel.IsCancellationRequested)
            {
                results.Add(new WakeupColumnResult { Key = column.Key, Label = column.Label, Unavailable = "not run: interrupted" });
                continue;
            }
            var host = ProbeHost();
            var (state, why) = column.CheckOn(host);
            if (state is null)
            {
                Progress?.ColumnSkipped(column, why!);
                results.Add(new WakeupColumnResult { Key = column.Key, Label = column.Label, Unavailable = why });
                continue;
            }
            Progress?.ColumnStarted(column, plan.Runs);
            var runs = new List<WakeupRun>();
            for (int index = 1; index <= plan.Runs && !cancel.IsCancellationRequested; index++)
            {
                var (r, apicv) = await BootOnce(column, $"wakeup_{column.Key}_run{index:00}", plan.GuestArgs(), cancel);
                var run = WakeupAnalysis.ToRun(r, index, apicv);
                if (cancel.IsCancellationRequested && run.Outcome != Protocol.Outcome.Pass) break;
                runs.Add(run);
                Progress?.RunFinished(column, run, plan.Runs);
            }
            var inVm = ColumnApicv.Judge(column.AsIpiColumnOn(host), runs.Select(r => (r.Index, r.Apicv)).ToList());
            var (timerMedian, timerMin) = WakeupAnalysis.TimerOverhead(runs);
            results.Add(new WakeupColumnResult
            {
                Key = column.Key,
                Label = column.Label,
                VerifiedState = state.Detail,
                InVm = inVm.Detail,
                InVmVerified = inVm.Verified,
                Contradicted = inVm.Contradiction,
                Runs = runs,
                Rows = WakeupAnalysis.Rows(runs, plan.Sources, inVm.Contradiction),
                TimerOverheadMedian = timerMedian,
                TimerOverheadMin = timerMin,
            });
        }
        return new Outcome(results, cancel.IsCancellationRequested);
    }
}
