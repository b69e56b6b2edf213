using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Bench;

/// <summary>One `runner vmexit` on a prepared environment: the bench with its boot, and the report at any point.</summary>
public sealed class VmexitSession
{
    public static readonly BenchTarget Target = new("vmexit", "file = vmexit, smp = 2", "`runner vmexit` counts VM exits, which only KVM has");

    readonly BenchEnvironment _env;
    readonly IpiHost _hostInfo;
    readonly IpiKernel _kernel;

    public VmexitPlan Plan { get; }
    public VmexitBench Bench { get; }

    public VmexitSession(BenchEnvironment env, VmexitPlan plan, IVmexitProgress progress)
    {
        _env = env;
        Plan = plan;
        _hostInfo = env.HostInfo;
        _kernel = env.Kernel;
        var settings = NestedHost.Current.IsL1 ? AnnouncingCases(env.Settings) : env.Settings;
        var entry = env.Entry;
        var caps = env.Caps;
        Bench = new VmexitBench
        {
            BootOnce = (column, logName, args, cancel) => TestExecutor.RunAsync(
                entry with { Append = args, Accel = AccelMode.Kvm, ExtraParams = [.. BenchmarkMachine.Args, .. entry.ExtraParams] }, settings, null, cancel, logName),
            Columns = SettingColumns.OnThisHost(plan.ReloadKvm, () => HostProbe.ProbeFiles("/") with { Qemu = caps.Qemu, Guest = caps.Guest }),
            Progress = progress,
        };
    }

    /// <summary>
    /// In an L1 host, each case's begin sync is announced to the outer runner, which is all that
    /// is left to say where the guest was when the L0 QEMU under L1 aborts (see NestedRunner).
    /// </summary>
    static RunSettings AnnouncingCases(RunSettings settings)
    {
        var inner = settings.OnSync;
        return settings with
        {
            OnSync = async (tag, pid) =>
            {
                if (tag.StartsWith(VmexitAnalysis.Prefix, StringComparison.Ordinal) && tag.EndsWith(".begin", StringComparison.Ordinal))
                    Console.Out.WriteLine(NestedHost.PartAnnouncement + "vmexit " + tag[VmexitAnalysis.Prefix.Length..^".begin".Length]);
                if (inner is not null) await inner(tag, pid);
            },
        };
    }

    /// <summary>The report so far: null before the runs (the header), the outcome after them.</summary>
    public VmexitReport Report(VmexitBench.Outcome? o) => new()
    {
        RunnerVersion = RunnerVersion.Text,
        Started = _env.Started,
        WallSeconds = _env.WallSeconds,
        CommandLine = BenchEnvironment.CommandLine,
        Host = _hostInfo,
        Kernel = _kernel,
        Settings = new VmexitSettings
        {
            Cases = Plan.Cases,
            Runs = Plan.Runs,
            Batches = Plan.Batches,
            OpsPerBatch = Plan.OpsPerBatch,
            Parallel = Plan.Parallel,
            Cpus = _env.Entry.Smp,
            Machine = _env.Entry.Machine,
            ExtraParams = [.. BenchmarkMachine.Args, .. _env.Entry.ExtraParams],
            CyclesFromEmulator = _env.Caps.Nested.CyclesFromEmulator,
        },
        Columns = o?.Columns ?? [],
        Notes = o?.Notes ?? [],
    };

    public static BenchVerdict Verdict(VmexitBench.Outcome outcome, VmexitPlan plan, VmexitReport report)
    {
        if (outcome.Interrupted) return BenchVerdict.Interrupted;
        if (outcome.RestoreFailed) return BenchVerdict.Failed;
        if (UnknownCases(plan, report).Count > 0) return BenchVerdict.UsageError;
        bool anyFailed = report.Columns.Any(c => c.Unavailable is null && (c.Runs.Count == 0 || c.Runs.Any(r => !r.Outcome.PassedOrKnown())));
        return anyFailed ? BenchVerdict.Failed : BenchVerdict.Success;
    }

    /// <summary>The cases some boot started: the kernel's own list.</summary>
    public static IReadOnlyList<string> KnownCases(VmexitReport r) =>
        r.Columns.SelectMany(c => c.Runs).SelectMany(run => run.CasesStarted).Distinct().ToList();

    /// <summary>Asked-for cases no boot started: the kernel has no such case (it fails its bench.only_known check too).</summary>
    public static IReadOnlyList<string> UnknownCases(VmexitPlan plan, VmexitReport r)
    {
        var known = KnownCases(r);
        if (known.Count == 0) return [];
        return plan.Cases.Where(c => !known.Contains(c)).ToList();
    }
}
