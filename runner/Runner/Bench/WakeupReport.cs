using Runner.Counters;

namespace Runner.Bench;

/// <summary>
/// Everything `runner wakeup --json` records: host, kernel image and hash, the settings, and per
/// host setting every boot's raw metrics, its TSC check and APICv observation, with the figures
/// taken from them. A plain data model: `runner compare` and plots read it back.
/// </summary>
public sealed record WakeupReport : ColumnsReport<WakeupSettings, WakeupColumnResult>
{
    public const string CurrentSchema = "ktest-wakeup/1";

    public WakeupReport() : base(CurrentSchema) { }
}

public sealed record WakeupSettings
{
    /// <summary>Sources asked for (empty: all three).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];
    public int Runs { get; init; }
    public int Samples { get; init; }
    public int GapMicroseconds { get; init; }
    public int Cpus { get; init; }
    public string Machine { get; init; } = "";
    public IReadOnlyList<string> ExtraParams { get; init; } = [];
    /// <summary>Whether the cycle figures come from an emulator (an L1 host under TCG): the table labels them TCG.</summary>
    public bool CyclesFromEmulator { get; init; }
}

/// <summary>One host setting (APICv/AVIC on or off) over its boots.</summary>
public sealed record WakeupColumnResult : BenchColumnResult
{
    /// <summary>What the kvm_apicv_inhibit_changed trace showed inside the VM during the measurement.</summary>
    public string? InVm { get; init; }
    public bool InVmVerified { get; init; }
    /// <summary>Why the column's label was false during a boot; its figures are then withheld.</summary>
    public string? Contradicted { get; init; }
    public IReadOnlyList<WakeupRun> Runs { get; init; } = [];
    /// <summary>One per source and target state, in the kernel's order.</summary>
    public IReadOnlyList<WakeupRowStats> Rows { get; init; } = [];
    public double? TimerOverheadMedian { get; init; }
    public double? TimerOverheadMin { get; init; }
}

/// <summary>The kernel's TSC check in one boot.</summary>
public sealed record WakeupTsc
{
    /// <summary>CPUID.80000007H:EDX.InvariantTSC[8] in the guest.</summary>
    public bool? Invariant { get; init; }
    /// <summary>Whether 0 lies within the ping-pong's bounds of CPU 1's offset from CPU 0; null when the check did not run.</summary>
    public bool? Synchronised { get; init; }
    /// <summary>Bounds of CPU 1's TSC minus CPU 0's (cycles): every round gave t1 − t2 &lt; offset &lt; t1 − t0.</summary>
    public long? OffsetLow { get; init; }
    public long? OffsetHigh { get; init; }
    public long? RoundTripMin { get; init; }
}

/// <summary>One boot of the wakeup kernel.</summary>
public sealed record WakeupRun : BenchRun
{
    /// <summary>Series key (ipi.halted, ...) → the guest's skip reason.</summary>
    public IReadOnlyDictionary<string, string> Skipped { get; init; } = new Dictionary<string, string>();
    /// <summary>Series key → its first failed check and detail.</summary>
    public IReadOnlyDictionary<string, string> Failed { get; init; } = new Dictionary<string, string>();
    public required WakeupTsc Tsc { get; init; }
    public ApicvObservation? Apicv { get; init; }
}

/// <summary>One source and target state over the boots of a column.</summary>
public sealed record WakeupRowStats
{
    /// <summary>ipi, timer or msi.</summary>
    public required string Source { get; init; }
    /// <summary>running or halted.</summary>
    public required string State { get; init; }
    public required string Label { get; init; }
    /// <summary>Whether the figure subtracts one CPU's TSC from another's (IPI, MSI).</summary>
    public bool CrossCpu { get; init; }
    /// <summary>Why there are no figures; null when measured.</summary>
    public string? NotMeasured { get; init; }
    /// <summary>"skip", "failed", "tsc" (TSC not synchronised), "contradicted" or "" (measured).</summary>
    public string Why { get; init; } = "";
    public int Boots { get; init; }
    /// <summary>Cycles: the lowest sample of all boots.</summary>
    public double? Min { get; init; }
    /// <summary>Median over boots of each boot's median sample.</summary>
    public double? Median { get; init; }
    /// <summary>Median over boots of each boot's p99 sample.</summary>
    public double? P99 { get; init; }
    /// <summary>Each boot's median (for compare's Welch test and for plots).</summary>
    public IReadOnlyList<double> MedianRuns { get; init; } = [];
    public long SamplesPerBoot { get; init; }
}
