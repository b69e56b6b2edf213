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
    /// <summary>--reload-kvm: reload kvm_intel/kvm_amd into a column's setting (and back afterwards).</summary>
    public bool ReloadKvm { get; init; }

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
/// Runs the columns through <see cref="SettingColumns"/> (check, reload with --reload-kvm,
/// restore), boots the kernel `Runs` times per column, judges what the VM saw of APICv/AVIC
/// against the column's label, and keeps every boot with the rows' figures.
/// </summary>
public sealed class WakeupBench
{
    public delegate Task<(TestRunResult Result, ApicvObservation? Apicv)> Boot(VmexitColumn column, string logName, IReadOnlyList<string> guestArgs, CancellationToken cancel);

    public required Boot BootOnce { get; init; }
    public required SettingColumns Columns { get; init; }
    public IWakeupProgress? Progress { get; set; }

    /// <param name="Notes">What --reload-kvm did, one line each.</param>
    /// <param name="RestoreFailed">The KVM module parameters changed by --reload-kvm could not be put back.</param>
    public sealed record Outcome(IReadOnlyList<WakeupColumnResult> Columns, bool Interrupted, IReadOnlyList<string> Notes, bool RestoreFailed);

    public async Task<Outcome> RunAsync(WakeupPlan plan, CancellationToken cancel)
    {
        var o = await Columns.RunAsync(plan.Columns, Unavailable, (column, host, state) => MeasureAsync(plan, column, host, state, cancel), cancel);
        return new Outcome(o.Columns, o.Interrupted, o.Notes, o.RestoreFailed);
    }

    WakeupColumnResult Unavailable(VmexitColumn column, string why)
    {
        Progress?.ColumnSkipped(column, why);
        return new WakeupColumnResult { Key = column.Key, Label = column.Label, Unavailable = why };
    }

    async Task<WakeupColumnResult> MeasureAsync(WakeupPlan plan, VmexitColumn column, HostCaps host, VirtState state, CancellationToken cancel)
    {
        Progress?.ColumnStarted(column, plan.Runs);
        var runs = await SettingColumns.BootsAsync(plan.Runs,
            async index =>
            {
                var (r, apicv) = await BootOnce(column, $"wakeup_{column.Key}_run{index:00}", plan.GuestArgs(), cancel);
                return WakeupAnalysis.ToRun(r, index, apicv);
            },
            run => run.Outcome == Protocol.Outcome.Pass,
            run => Progress?.RunFinished(column, run, plan.Runs), cancel);
        var inVm = ColumnApicv.Judge(column.AsIpiColumnOn(host), runs.Select(r => (r.Index, r.Apicv)).ToList());
        var (timerMedian, timerMin) = WakeupAnalysis.TimerOverhead(runs);
        return new WakeupColumnResult
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
        };
    }
}
