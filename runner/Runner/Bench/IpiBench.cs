using Runner.Execution;
using Runner.Host;

namespace Runner.Bench;

/// <summary>What `runner ipi` was asked to measure.</summary>
public sealed record IpiPlan
{
    public required IReadOnlyList<IpiColumn> Columns { get; init; }
    public IpiTarget Target { get; init; } = IpiTarget.Spin;
    /// <summary>The kind the ICR columns send; PV columns send unicast through the hypercall.</summary>
    public IpiKind Kind { get; init; } = IpiKind.Unicast;
    public int Runs { get; init; } = 20;
    /// <summary>Null: choose by a calibration boot (--iters auto).</summary>
    public int? Iterations { get; init; }
    public int? Warmup { get; init; }
    public int Jobs { get; init; } = 1;
    public bool ReloadKvm { get; init; }
    /// <summary>--keep-pit: a run to watch the inhibit detection; no column shows figures.</summary>
    public bool Diagnostic { get; init; }
    /// <summary>Seconds of round trips one run should take when the count is chosen automatically.</summary>
    public double BudgetSeconds { get; init; } = 0.4;

    /// <summary>The guest's kind= for a column: the ICR columns' kind, or pv for the hypercall's.</summary>
    public static IpiKind KindOf(IpiColumn column, IpiKind icrKind) => column.Send == IpiSend.Pv ? IpiKind.Pv : icrKind;

    /// <summary>The guest command line (after the runner's own cpus=N) for one run.</summary>
    public IReadOnlyList<string> GuestArgs(IpiColumn column, int iterations, int warmup) =>
    [
        $"apic={column.Apic.Arg()}",
        $"target={Target.Arg()}",
        $"kind={KindOf(column, Kind).Arg()}",
        $"iters={iterations}",
        $"warmup={warmup}",
        "sync=1",
    ];
}

/// <summary>Progress as the runs go (Spectre progress, plain lines, or nothing in tests).</summary>
public interface IIpiProgress
{
    void ColumnStarted(IpiColumn column, int runs);
    void RunFinished(IpiColumn column, IpiRun run, int of);
    void ColumnSkipped(IpiColumn column, string reason);
    void Note(string text);
}

/// <summary>
/// Runs the columns: checks each against the host right before it runs (reloading the KVM
/// module when allowed), boots the guest `Runs` times, and keeps every run with its verdict.
/// Columns the host is already set up for run first, so a reload happens only when needed,
/// and whatever was reloaded is restored at the end, also after Ctrl-C.
/// </summary>
public sealed class IpiBench
{
    /// <summary>Boots build/ipi.elf once with these guest args; the real one is TestExecutor.</summary>
    public delegate Task<TestRunResult> Boot(IpiColumn column, string logName, IReadOnlyList<string> guestArgs, CancellationToken cancel);

    public required Boot BootOnce { get; init; }
    /// <summary>A fresh file probe of the host (sysfs is re-read before every column).</summary>
    public required Func<HostCaps> ProbeHost { get; init; }
    /// <summary>Null without --reload-kvm.</summary>
    public KvmReloader? Reloader { get; init; }
    /// <summary>Why a reload may not happen (not root, other VMs on /dev/kvm), or null.</summary>
    public Func<string?> ReloadRefusal { get; init; } = () => null;
    public IIpiProgress? Progress { get; set; }
    /// <summary>APICv/AVIC in the VM during the batch of the boot logged under this name; null: not observed.</summary>
    public Func<string, Counters.ApicvObservation?> ApicvOf { get; init; } = _ => null;

    public sealed record Outcome(
        IReadOnlyList<IpiColumnResult> Columns, int Iterations, int Warmup, string IterationsSource, IReadOnlyList<string> Notes, bool Interrupted)
    {
        /// <summary>The boot that chose the iteration count (--iters auto), kept for the record.</summary>
        public IpiRun? Calibration { get; init; }

        /// <summary>The KVM module parameters changed by --reload-kvm could not be put back.</summary>
        public bool RestoreFailed { get; init; }
    }

    public async Task<Outcome> RunAsync(IpiPlan plan, CancellationToken cancel)
    {
        var notes = new List<string>();
        bool restoreFailed = false;
        var results = new Dictionary<IpiColumn, IpiColumnResult>();
        int? iterations = plan.Iterations;
        int warmup = plan.Warmup ?? (iterations is { } i0 ? Math.Clamp(i0 / 10, 5, 1000) : 0);
        string source = iterations is null ? "" : "given with --iters";
        IpiRun? calibration = null;

        // Ready columns first, then those needing a reload (grouped by the parameters they set).
        var initial = plan.Columns.Select(c => (c, r: ColumnCheck.Evaluate(c, ProbeHost(), plan.ReloadKvm, ReloadRefusal, plan.Diagnostic))).ToList();
        var order = ColumnReload.ReadyFirst(initial);

        try
        {
            foreach (var column in order)
            {
                if (cancel.IsCancellationRequested) break;
                var readiness = ColumnCheck.Evaluate(column, ProbeHost(), plan.ReloadKvm, ReloadRefusal, plan.Diagnostic);
                if (readiness is Readiness.NeedsReload needs)
                {
                    Progress?.Note($"{column.Label}: reloading {needs.Plan.Module}: {needs.Plan.ShellLine}");
                    (readiness, var note) = await ColumnReload.ApplyAsync(column, column.Label, needs, Reloader, ProbeHost, ReloadRefusal);
                    notes.Add(note);
                }
                if (readiness is Readiness.Unavailable unavailable)
                {
                    results[column] = Unavailable(column, unavailable.Reason);
                    Progress?.ColumnSkipped(column, unavailable.Reason);
                    continue;
                }
                var state = ((Readiness.Ready)readiness).State;

                if (iterations is null)
                {
                    var (it, wu, why, run) = await CalibrateAsync(plan, column, cancel);
                    (iterations, warmup, source, calibration) = (it, wu, why, run);
                    Progress?.Note($"iterations: {it} per batch, warm-up {wu} ({why})");
                }

                var runs = await RunColumnAsync(plan, column, iterations.Value, warmup, notes, cancel);
                var inVm = ColumnApicv.Judge(column, runs);
                results[column] = new IpiColumnResult
                {
                    Key = column.Key,
                    Label = column.Label,
                    Apic = column.Apic.Arg(),
                    Ipiv = column.Ipiv,
                    Apicv = column.Apicv,
                    Send = column.Send,
                    VerifiedState = state.Detail,
                    VerifiedParameters = state.Parameters,
                    Runs = runs,
                    Stats = IpiAnalysis.ColumnStats(runs),
                    InVm = inVm.Detail,
                    InVmVerified = inVm.Verified,
                    Contradicted = inVm.Contradiction ?? (plan.Diagnostic
                        ? "diagnostic run (--keep-pit): the VM kept an in-kernel PIT in reinject mode on purpose, so its figures are withheld" : null),
                };
            }
        }
        finally
        {
            if (Reloader is { Changed: true })
            {
                var failed = await Reloader.RestoreAsync();
                restoreFailed = failed is not null;
                notes.Add(failed is null ? "KVM module parameters restored to their values before the run" : $"RESTORE FAILED: {failed}");
                Progress?.Note(notes[^1]);
            }
        }

        bool interrupted = cancel.IsCancellationRequested;
        foreach (var column in plan.Columns.Where(c => !results.ContainsKey(c)))
            results[column] = Unavailable(column, "not run: interrupted");
        return new Outcome(plan.Columns.Select(c => results[c]).ToList(), iterations ?? 0, warmup, source, notes, interrupted)
        {
            Calibration = calibration,
            RestoreFailed = restoreFailed,
        };
    }

    static IpiColumnResult Unavailable(IpiColumn column, string reason) => new()
    {
        Key = column.Key,
        Label = column.Label,
        Apic = column.Apic.Arg(),
        Ipiv = column.Ipiv,
        Apicv = column.Apicv,
        Send = column.Send,
        Unavailable = reason,
    };

    async Task<(int, int, string, IpiRun)> CalibrateAsync(IpiPlan plan, IpiColumn column, CancellationToken cancel)
    {
        const int calibrationIters = 10, calibrationWarmup = 2, fallback = 100;
        var args = plan.GuestArgs(column, calibrationIters, calibrationWarmup).Where(a => a != "sync=1").ToList();
        var r = await BootOnce(column, "ipi_calibration", args, cancel);
        var run = IpiAnalysis.ToRun(r, 0, column, plan.Target, plan.Kind);
        if (run.Used)
        {
            try
            {
                var (iters, warmup, why) = IpiAnalysis.AutoIterations(run.Metrics, plan.BudgetSeconds);
                return (iters, warmup, why, run);
            }
            catch (InvalidDataException e) { return (fallback, 10, $"calibration unusable ({e.Message}); using {fallback}", run); }
        }
        return (fallback, 10, $"the calibration boot failed ({run.Excluded}); using {fallback}", run);
    }

    async Task<IReadOnlyList<IpiRun>> RunColumnAsync(IpiPlan plan, IpiColumn column, int iterations, int warmup, List<string> notes, CancellationToken cancel)
    {
        Progress?.ColumnStarted(column, plan.Runs);
        var runs = new IpiRun?[plan.Runs];
        IpiRun? hostRefused = null;
        using var slots = new SemaphoreSlim(Math.Max(1, plan.Jobs));
        var gate = new object();
        var tasks = Enumerable.Range(1, plan.Runs).Select(async index =>
        {
            await slots.WaitAsync(CancellationToken.None);
            try
            {
                if (cancel.IsCancellationRequested || Volatile.Read(ref hostRefused) is not null) return;
                var logName = $"ipi_{column.Key.Replace('/', '_')}_run{index:00}";
                var r = await BootOnce(column, logName, plan.GuestArgs(column, iterations, warmup), cancel);
                var run = IpiAnalysis.ToRun(r, index, column, plan.Target, plan.Kind) with { Apicv = ApicvOf(logName) };
                if (cancel.IsCancellationRequested && !run.Used)
                    return;   // stopped by Ctrl-C: not a failure of the guest
                runs[index - 1] = run;
                lock (gate) Progress?.RunFinished(column, run, plan.Runs);
                // Whether the host offers the hypercall, and whether it returns, is the same
                // in every boot: the first run that says it cannot says so for the column.
                if (column.Send == IpiSend.Pv && run.Outcome is Protocol.Outcome.Skip or Protocol.Outcome.XFail)
                    Interlocked.CompareExchange(ref hostRefused, run, null);
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks);
        if (hostRefused is not null && runs.Any(r => r is null))
        {
            notes.Add($"{column.Label}: {runs.Count(r => r is null)} of {plan.Runs} runs not booted: run {hostRefused.Index} showed what this host does with the hypercall ({hostRefused.Excluded})");
            Progress?.Note(notes[^1]);
        }
        return runs.OfType<IpiRun>().ToList();
    }
}
