using System.Text.Json.Serialization;
using Runner.Execution;
using Runner.Protocol;
using Runner.Stats;

namespace Runner.Bench;

/// <summary>
/// Everything `runner ipi --json` records: enough to reproduce the table (host, kernel image
/// and its hash, QEMU, the exact argv of every run, the settings of every column) and to
/// recompute it (every run's raw metrics, counters and verdict). `runner compare` reads it back.
/// </summary>
public sealed record IpiReport : BenchReport
{
    public const string CurrentSchema = "ktest-ipi/1";

    public IpiReport() : base(CurrentSchema) { }

    public required IpiSettings Settings { get; init; }
    public IReadOnlyList<IpiColumnResult> Columns { get; init; } = [];
    /// <summary>The calibration boot of --iters auto (its argv and metrics), null when --iters was given.</summary>
    public IpiRun? Calibration { get; init; }
    public IReadOnlyList<IpiReduction> Reductions { get; init; } = [];
    /// <summary>What happened to the KVM module parameters (--reload-kvm), and anything else worth knowing.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>True when the run was stopped (Ctrl-C, SIGTERM) before every column had its runs; <see cref="PartialReason"/> says why.</summary>
    public bool Partial { get; init; }
    public string? PartialReason { get; init; }
}

public sealed record IpiHost
{
    public required string CpuVendor { get; init; }
    public required string CpuModel { get; init; }
    public IReadOnlyList<string> CpuFlags { get; init; } = [];
    public IReadOnlyList<string> VmxFlags { get; init; } = [];
    public required string KernelRelease { get; init; }
    public required string KvmBackend { get; init; }
    /// <summary>Where the VMs ran, e.g. "kvm_amd, L1 Linux 6.12.57+deb12-amd64 under TCG".</summary>
    public string Where { get; init; } = "";
    /// <summary>What the figures from such a host can and cannot be compared with; empty on an ordinary host.</summary>
    public string FiguresCaveat { get; init; } = "";
    /// <summary>The command that made the report, as it was typed.</summary>
    public string Command { get; init; } = "";
    public IReadOnlyList<string> KvmModules { get; init; } = [];
    /// <summary>Every parameter of every loaded kvm* module: module → name → value.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ModuleParameters { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();
    /// <summary>The capability probe (runner caps): name → available + why.</summary>
    public IReadOnlyDictionary<string, IpiCapability> Capabilities { get; init; } = new Dictionary<string, IpiCapability>();
    public string? QemuPath { get; init; }
    public string? QemuVersion { get; init; }
    public string? QemuVersionText { get; init; }
    public required string KvmCpuModel { get; init; }
    public string KvmCpuModelDetail { get; init; } = "";
}

public sealed record IpiCapability(bool Available, string Detail);

public sealed record IpiKernel(string Path, string Sha256, string Entry);

public sealed record IpiSettings
{
    public IReadOnlyList<string> ApicModes { get; init; } = [];
    /// <summary>The IPIv states measured: false (w/o), true (w/).</summary>
    public IReadOnlyList<bool> Ipiv { get; init; } = [];
    public Host.Want Apicv { get; init; } = Host.Want.Any;
    public IpiTarget Target { get; init; } = IpiTarget.Spin;
    /// <summary>The kind of IPI the ICR columns send.</summary>
    public IpiKind Kind { get; init; } = IpiKind.Unicast;
    /// <summary>The ways of sending measured, each a set of columns (files before --send: the ICR, or pv under Kind).</summary>
    public IReadOnlyList<IpiSend> Sends { get; init; } = [IpiSend.Icr];
    public int Runs { get; init; }
    public int Cpus { get; init; }
    public int Iterations { get; init; }
    public int Warmup { get; init; }
    /// <summary>How the iteration count was chosen (given, or the calibration boot's figures).</summary>
    public string IterationsSource { get; init; } = "";
    public int Jobs { get; init; } = 1;
    public bool ReloadKvm { get; init; }
    public string Machine { get; init; } = "";
    public IReadOnlyList<string> ExtraParams { get; init; } = [];
}

public sealed record IpiColumnResult
{
    public required string Key { get; init; }
    public required string Label { get; init; }
    public required string Apic { get; init; }
    public required bool Ipiv { get; init; }
    public Host.Want Apicv { get; init; } = Host.Want.Any;
    public IpiSend Send { get; init; } = IpiSend.Icr;
    /// <summary>Null when the column ran; else why it could not (no numbers then).</summary>
    public string? Unavailable { get; init; }
    /// <summary>The host state verified right before the runs (module parameters as read from sysfs).</summary>
    public string? VerifiedState { get; init; }
    public IReadOnlyDictionary<string, string> VerifiedParameters { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<IpiRun> Runs { get; init; } = [];
    public IpiColumnStats? Stats { get; init; }
    /// <summary>APICv/AVIC as seen inside the VM during the timed batches (or why it could not be seen).</summary>
    public string? InVm { get; init; }
    /// <summary>Whether <see cref="InVm"/> comes from a trace of every run's batch.</summary>
    public bool InVmVerified { get; init; }
    /// <summary>Why the column's label was false in the VM (an inhibit seen, or APICv active where it should be off); no numbers then.</summary>
    public string? Contradicted { get; init; }

    [JsonIgnore]
    public bool HasNumbers => Unavailable is null && Contradicted is null && Stats is not null;
}

public sealed record IpiRun
{
    public required int Index { get; init; }
    public required Outcome Outcome { get; init; }
    public string Reason { get; init; } = "";
    /// <summary>Whether this run's figures are in the statistics.</summary>
    public bool Used { get; init; }
    /// <summary>Why not, when not used.</summary>
    public string? Excluded { get; init; }
    /// <summary>The tests/errata.cfg entries that turned a failed check of this run into XFAIL.</summary>
    public IReadOnlyList<string> Errata { get; init; } = [];
    public double DurationSeconds { get; init; }
    public IReadOnlyList<string> Argv { get; init; } = [];
    public IReadOnlyDictionary<string, long> Metrics { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, string> Infos { get; init; } = new Dictionary<string, string>();
    /// <summary>KVM counters at each sync point (measure-begin, measure-end) and their difference.</summary>
    public IReadOnlyList<KvmReading> Counters { get; init; } = [];
    /// <summary>measure-end − measure-begin, as read (the handshake included).</summary>
    public Qemu.KvmCounters? MeasureDelta { get; init; }
    /// <summary>baseline-end − baseline-begin: an empty region, the cost of one sync handshake.</summary>
    public Qemu.KvmCounters? BaselineDelta { get; init; }
    /// <summary>
    /// VM exits (all vCPUs) during the timed batch less the handshake baseline, per IPI; null
    /// when the counters or the baseline were unavailable.
    /// </summary>
    public double? ExitsPerIpi { get; init; }
    /// <summary>Why this run has no exits figure, when it has none.</summary>
    public string? ExitsProblem { get; init; }
    /// <summary>The same without the baseline taken off.</summary>
    public double? RawExitsPerIpi { get; init; }
    /// <summary>Exits of the empty baseline region (one handshake).</summary>
    public long? BaselineExits { get; init; }
    /// <summary>APICv/AVIC during this run's timed batch, from the inhibit trace; null when no trace was taken.</summary>
    public Counters.ApicvObservation? Apicv { get; init; }
    public string? LogPath { get; init; }

    public long? Metric(string name) => Metrics.TryGetValue(name, out var v) ? v : null;
}

/// <summary>A sample's statistics as stored (NaN where they cannot be estimated, e.g. one run).</summary>
public sealed record IpiSummary(int N, double Mean, double Median, double Stdev, double CvPercent, double Ci95Low, double Ci95High, double Min, double Max)
{
    public static IpiSummary From(Summary s) => new(s.N, s.Mean, s.Median, s.Stdev, s.CvPercent, s.Ci95Low, s.Ci95High, s.Min, s.Max);
    [JsonIgnore]
    public double Ci95HalfWidth => (Ci95High - Ci95Low) / 2;
}

public sealed record IpiColumnStats
{
    public required int RunsUsed { get; init; }
    public required int RunsExcluded { get; init; }
    /// <summary>The C# round trip (sender + handler), per-run batch averages.</summary>
    [JsonPropertyName("csharp")]
    public required IpiSummary CSharp { get; init; }
    public IpiSummary? Asm { get; init; }
    public IpiSummary? ExitsPerIpi { get; init; }
    /// <summary>Why there is no exits-per-IPI figure (counters unavailable), when there is none.</summary>
    public string? ExitsUnavailable { get; init; }
    /// <summary>Exits per IPI with the handshake left in (for comparison with older reports).</summary>
    public IpiSummary? RawExitsPerIpi { get; init; }
    /// <summary>Exits of one sync handshake (the empty baseline region), over runs.</summary>
    public IpiSummary? HandshakeExits { get; init; }
    /// <summary>Median over runs of each run's median cost of an empty fenced rdtsc pair.</summary>
    public double? TimerOverheadMedian { get; init; }
    public double? TimerOverheadMin { get; init; }
    /// <summary>C# average / asm average, mean over runs.</summary>
    [JsonPropertyName("csharpOverAsm")]
    public double? CSharpOverAsm { get; init; }
    /// <summary>The runs' per-IPI medians (ipi.cycles.median), summarized over runs.</summary>
    [JsonPropertyName("csharpMedianPerRun")]
    public IpiSummary? CSharpMedianPerRun { get; init; }
    [JsonPropertyName("csharpP99PerRun")]
    public IpiSummary? CSharpP99PerRun { get; init; }
}

/// <summary>%Reduction between the w/o and w/ IPIv columns of one APIC mode, or why there is none.</summary>
public sealed record IpiReduction
{
    public required string Apic { get; init; }
    public IpiSend Send { get; init; } = IpiSend.Icr;
    public double? Percent { get; init; }
    public double? AsmPercent { get; init; }
    public bool? Significant { get; init; }
    public double? WelchT { get; init; }
    public double? WelchDf { get; init; }
    public string? NotAvailable { get; init; }
}
