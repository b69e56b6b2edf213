using System.Collections.Concurrent;
using Runner.Config;
using Runner.Counters;
using Runner.Execution;
using Runner.Host;
using Runner.Processes;
using Runner.Qemu;

namespace Runner.Bench;

/// <summary>
/// One `runner ipi` on a prepared environment: the plan from the request, the bench with its
/// boot (and the in-VM APICv trace around the timed region), and the report at any point.
/// </summary>
public sealed class IpiSession : IDisposable
{
    readonly BenchEnvironment _env;
    readonly IpiRequest _req;
    readonly IReadOnlyList<string> _vmArgs;
    readonly string _machine;
    readonly ApicvTrace? _trace;
    readonly IpiHost _hostInfo;
    readonly IpiKernel _kernel;

    public IpiPlan Plan { get; }
    public IpiBench Bench { get; }
    /// <summary>Printed under the header, before the first boot.</summary>
    public IReadOnlyList<string> Notes { get; }

    public IpiSession(BenchEnvironment env, IpiRequest req)
    {
        _env = env;
        _req = req;
        Plan = new IpiPlan
        {
            Columns = IpiColumn.All(req.Modes, req.Ipiv, req.Apicv, req.Sends),
            Target = req.TargetVcpu,
            Kind = req.IcrKind,
            Runs = req.Runs,
            Iterations = req.Iterations,
            Warmup = req.Warmup,
            Jobs = req.Jobs,
            ReloadKvm = req.ReloadKvm,
            Diagnostic = req.KeepPit,
        };
        _vmArgs = req.KeepPit ? [] : BenchmarkMachine.Args;
        _machine = req.KeepPit ? BenchmarkMachine.ReinjectingPitMachine : env.Entry.Machine;
        _hostInfo = env.HostInfo;
        _kernel = env.Kernel;

        var notes = new List<string>();
        if (req.Jobs > 1)
            notes.Add($"note: -j {req.Jobs}: VMs run side by side on {Environment.ProcessorCount} host CPU(s); their figures disturb each other");
        _trace = ApicvTrace.TryOpen(env.Caps.KernelRelease, out var traceWhy);
        if (_trace is null)
            notes.Add($"note: APICv/AVIC cannot be observed inside the VM: {traceWhy}; columns that need it are marked unverified");
        Notes = notes;
        Bench = CreateBench(traceWhy);
    }

    IpiBench CreateBench(string traceWhy)
    {
        var settings = _env.Settings;
        var entry = _env.Entry;
        var caps = _env.Caps;
        var trace = _trace;
        var observations = new ConcurrentDictionary<string, ApicvObservation>();
        return new IpiBench
        {
            BootOnce = async (column, logName, args, cancel) =>
            {
                var run = entry with { Smp = _req.Cpus, Append = args, Accel = AccelMode.Kvm, Machine = _machine, ExtraParams = [.. _vmArgs, .. entry.ExtraParams] };
                var (result, apicv) = await TracedBoot.RunAsync(run, settings, trace, traceWhy, logName, cancel);
                observations[logName] = apicv;
                return result;
            },
            ApicvOf = logName => observations.GetValueOrDefault(logName),
            ProbeHost = () => HostProbe.ProbeFiles("/") with { Qemu = caps.Qemu, Guest = caps.Guest },
            Reloader = _req.ReloadKvm ? new KvmReloader("/", KvmReloader.RunCommandAsync) : null,
            ReloadRefusal = () => KvmHolders.RefuseReload(Environment.IsPrivilegedProcess, KvmHolders.Find("/", Environment.ProcessId)),
        };
    }

    /// <summary>The report so far: null before the runs (the header), the outcome after them.</summary>
    public IpiReport Report(IpiBench.Outcome? o) => new()
    {
        RunnerVersion = RunnerVersion.Text,
        Started = _env.Started,
        WallSeconds = _env.WallSeconds,
        CommandLine = BenchEnvironment.CommandLine,
        Host = _hostInfo,
        Kernel = _kernel,
        Settings = new IpiSettings
        {
            ApicModes = _req.Modes.Select(m => m.Arg()).ToList(),
            Ipiv = _req.Ipiv,
            Apicv = _req.Apicv,
            Target = Plan.Target,
            Kind = Plan.Kind,
            Sends = _req.Sends,
            Runs = Plan.Runs,
            Cpus = _req.Cpus,
            Iterations = o?.Iterations ?? _req.Iterations ?? 0,
            Warmup = o?.Warmup ?? _req.Warmup ?? 0,
            IterationsSource = o?.IterationsSource ?? (_req.Iterations is null ? "auto (calibration pending)" : "given with --iters"),
            Jobs = _req.Jobs,
            ReloadKvm = _req.ReloadKvm,
            Machine = _machine,
            ExtraParams = [.. _vmArgs, .. _env.Entry.ExtraParams],
        },
        Columns = o?.Columns ?? [],
        Calibration = o?.Calibration,
        Reductions = o is null ? [] : IpiAnalysis.Reductions(o.Columns, Plan.Kind, _env.Caps.Backend),
        Notes = o?.Notes ?? [],
        Partial = o?.Interrupted == true,
        PartialReason = o?.Interrupted == true ? $"interrupted by {ChildProcesses.InterruptReason}: columns hold only the runs finished before it" : null,
    };

    public static BenchVerdict Verdict(IpiBench.Outcome outcome, bool keepPit)
    {
        if (outcome.Interrupted) return BenchVerdict.Interrupted;
        if (outcome.RestoreFailed) return BenchVerdict.Failed;
        return outcome.Columns.Any(c => IpiColumnVerdict.Judge(c, keepPit)?.Kind == ColumnVerdictKind.Failed) ? BenchVerdict.Failed : BenchVerdict.Success;
    }

    public void Dispose() => _trace?.Dispose();
}
