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
/// Runs the columns: checks each against the host right before it runs, boots the kernel
/// `Runs` times, and keeps every boot. A case the guest never came back from (a vCPU stuck in
/// the host: TIMEOUT) is left out of the next boots with skip=, and its row says so.
/// </summary>
public sealed class VmexitBench
{
    public delegate Task<TestRunResult> Boot(VmexitColumn column, string logName, IReadOnlyList<string> guestArgs, CancellationToken cancel);

    public required Boot BootOnce { get; init; }
    public required Func<HostCaps> ProbeHost { get; init; }
    public IVmexitProgress? Progress { get; set; }

    public sealed record Outcome(IReadOnlyList<VmexitColumnResult> Columns, bool Interrupted);

    public async Task<Outcome> RunAsync(VmexitPlan plan, CancellationToken cancel)
    {
        var results = new List<VmexitColumnResult>();
        foreach (var column in plan.Columns)
        {
            if (cancel.IsCancellationRequested)
            {
                results.Add(new VmexitColumnResult { Key = column.Key, Label = column.Label, Unavailable = "not run: interrupted" });
                continue;
            }
            var host = ProbeHost();
            var (state, why) = column.CheckOn(host);
            if (state is null)
            {
                Progress?.ColumnSkipped(column, why!);
                results.Add(new VmexitColumnResult { Key = column.Key, Label = column.Label, Unavailable = why });
                continue;
            }
            Progress?.ColumnStarted(column, plan.Runs);
            var runs = new List<VmexitRun>();
            var leftOut = new List<string>();
            for (int index = 1; index <= plan.Runs && !cancel.IsCancellationRequested; index++)
            {
                var logName = $"vmexit_{column.Key}_run{index:00}";
                var r = await BootOnce(column, logName, plan.GuestArgs(leftOut), cancel);
                var run = VmexitAnalysis.ToRun(r, index, leftOut.ToList());
                if (cancel.IsCancellationRequested && run.Outcome != Protocol.Outcome.Pass) break;
                runs.Add(run);
                if (run.Hung is { } hung && !leftOut.Contains(hung)) leftOut.Add(hung);
                Progress?.RunFinished(column, run, plan.Runs);
            }
            results.Add(new VmexitColumnResult
            {
                Key = column.Key,
                Label = column.Label,
                VerifiedState = state.Detail,
                Runs = runs,
                Cases = VmexitAnalysis.CaseStats(runs),
            });
        }
        return new Outcome(results, cancel.IsCancellationRequested);
    }
}
