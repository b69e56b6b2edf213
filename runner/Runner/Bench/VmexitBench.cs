using Runner.Execution;
using Runner.Host;

namespace Runner.Bench;

/// <summary>What `runner vmexit` was asked to measure.</summary>
public sealed record VmexitPlan
{
    public required IReadOnlyList<VmexitColumn> Columns { get; init; }
    /// <summary>Cases to run (only=); empty: all.</summary>
    public IReadOnlyList<string> Cases { get; init; } = [];
    public int Runs { get; init; } = 5;
    public int Batches { get; init; } = 16;
    public int OpsPerBatch { get; init; } = 64;
    public bool Parallel { get; init; }
    /// <summary>--leave-out: cases no boot runs (skip=), as when an L0 abort in one ended a whole L1 host.</summary>
    public IReadOnlyList<string> LeaveOut { get; init; } = [];
    /// <summary>Why, for the --leave-out cases given as CASE=WHY: their rows say "lost" and this.</summary>
    public IReadOnlyDictionary<string, string> LeaveOutWhy { get; init; } = new Dictionary<string, string>();

    /// <summary>--leave-out values, CASE or CASE=WHY (case names have no '='), into <see cref="LeaveOut"/> and <see cref="LeaveOutWhy"/>.</summary>
    public VmexitPlan WithLeaveOut(IEnumerable<string> values)
    {
        var names = new List<string>();
        var why = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            int eq = v.IndexOf('=');
            var name = (eq < 0 ? v : v[..eq]).Trim();
            if (name.Length == 0) continue;
            if (!names.Contains(name)) names.Add(name);
            if (eq >= 0 && v[(eq + 1)..].Trim() is { Length: > 0 } reason) why[name] = reason;
        }
        return this with { LeaveOut = names, LeaveOutWhy = why };
    }
    /// <summary>--reload-kvm: reload kvm_intel/kvm_amd into a column's setting (and back afterwards).</summary>
    public bool ReloadKvm { get; init; }

    /// <summary>The guest command line (after the runner's own cpus=N) for one boot.</summary>
    public IReadOnlyList<string> GuestArgs(IReadOnlyList<string> leftOut)
    {
        var args = new List<string> { $"batches={Batches}", $"ops={OpsPerBatch}", $"parallel={(Parallel ? 1 : 0)}", "sync=1" };
        if (Cases.Count > 0) args.Add($"only={string.Join(",", Cases)}");
        if (leftOut.Count > 0) args.Add($"skip={string.Join(",", leftOut)}");
        return args;
    }
}

/// <summary>Progress as the boots go.</summary>
public interface IVmexitProgress
{
    void ColumnStarted(VmexitColumn column, int runs);
    void RunFinished(VmexitColumn column, VmexitRun run, int of);
    void ColumnSkipped(VmexitColumn column, string reason);
}

/// <summary>
/// Runs the columns through <see cref="SettingColumns"/> (check, reload with --reload-kvm,
/// restore), boots the kernel `Runs` times per column, and keeps every boot. A case the guest
/// never came back from (a vCPU stuck in the host: TIMEOUT) is left out of the next boots
/// with skip=, and its row says so.
/// </summary>
public sealed class VmexitBench
{
    public delegate Task<TestRunResult> Boot(VmexitColumn column, string logName, IReadOnlyList<string> guestArgs, CancellationToken cancel);

    public required Boot BootOnce { get; init; }
    public required SettingColumns Columns { get; init; }
    public IVmexitProgress? Progress { get; set; }

    /// <param name="Notes">What --reload-kvm did, one line each.</param>
    /// <param name="RestoreFailed">The KVM module parameters changed by --reload-kvm could not be put back.</param>
    public sealed record Outcome(IReadOnlyList<VmexitColumnResult> Columns, bool Interrupted, IReadOnlyList<string> Notes, bool RestoreFailed);

    public async Task<Outcome> RunAsync(VmexitPlan plan, CancellationToken cancel)
    {
        var o = await Columns.RunAsync(plan.Columns, Unavailable, (column, _, state) => MeasureAsync(plan, column, state, cancel), cancel);
        return new Outcome(o.Columns, o.Interrupted, o.Notes, o.RestoreFailed);
    }

    VmexitColumnResult Unavailable(VmexitColumn column, string why)
    {
        Progress?.ColumnSkipped(column, why);
        return new VmexitColumnResult { Key = column.Key, Label = column.Label, Unavailable = why };
    }

    async Task<VmexitColumnResult> MeasureAsync(VmexitPlan plan, VmexitColumn column, VirtState state, CancellationToken cancel)
    {
        Progress?.ColumnStarted(column, plan.Runs);
        var leftOut = new List<string>(plan.LeaveOut);
        var runs = await SettingColumns.BootsAsync(plan.Runs,
            async index => VmexitAnalysis.ToRun(await BootOnce(column, $"vmexit_{column.Key}_run{index:00}", plan.GuestArgs(leftOut), cancel), index, leftOut.ToList()),
            run => run.Outcome == Protocol.Outcome.Pass,
            run =>
            {
                if (run.Hung is { } hung && !leftOut.Contains(hung)) leftOut.Add(hung);
                Progress?.RunFinished(column, run, plan.Runs);
            }, cancel);
        return new VmexitColumnResult
        {
            Key = column.Key,
            Label = column.Label,
            VerifiedState = state.Detail,
            Runs = runs,
            Cases = VmexitAnalysis.Lost(VmexitAnalysis.CaseStats(runs), plan.LeaveOutWhy),
        };
    }
}
