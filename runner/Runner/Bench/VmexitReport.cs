using System.Text.Json.Serialization;
using Runner.Execution;

namespace Runner.Bench;

/// <summary>
/// Everything `runner vmexit --json` records: host, kernel image and hash, the settings, and
/// per column every boot's raw metrics and KVM counter readings with the figures taken from
/// them. `runner compare` reads two of these back.
/// </summary>
public sealed record VmexitReport : ColumnsReport<VmexitSettings, VmexitColumnResult>
{
    public const string CurrentSchema = "ktest-vmexit/1";

    public VmexitReport() : base(CurrentSchema) { }
}

public sealed record VmexitSettings
{
    /// <summary>The cases asked for (empty: every case of the kernel).</summary>
    public IReadOnlyList<string> Cases { get; init; } = [];
    public int Runs { get; init; }
    public int Batches { get; init; }
    public int OpsPerBatch { get; init; }
    public bool Parallel { get; init; }
    public int Cpus { get; init; }
    public string Machine { get; init; } = "";
    public IReadOnlyList<string> ExtraParams { get; init; } = [];
    /// <summary>Whether the cycle figures come from an emulator (an L1 host under TCG): the table labels them TCG.</summary>
    public bool CyclesFromEmulator { get; init; }
}

public sealed record VmexitColumnResult : BenchColumnResult
{
    public IReadOnlyList<VmexitRun> Runs { get; init; } = [];
    /// <summary>Per case, in the order the kernel ran them.</summary>
    public IReadOnlyList<VmexitCaseStats> Cases { get; init; } = [];
}

/// <summary>One boot of the vmexit kernel.</summary>
public sealed record VmexitRun : BenchRun
{
    /// <summary>The cases in the order the guest started them (`#kt info bench.case`).</summary>
    public IReadOnlyList<string> CasesStarted { get; init; } = [];
    /// <summary>Case → the guest's skip reason.</summary>
    public IReadOnlyDictionary<string, string> Skipped { get; init; } = new Dictionary<string, string>();
    /// <summary>Case → its first failed `bench.NAME.*` check and detail (an erratum's XFAIL is not a failure).</summary>
    public IReadOnlyDictionary<string, string> Failed { get; init; } = new Dictionary<string, string>();
    /// <summary>Case → device test name (pci-testdev's own name for pci-mem-N).</summary>
    public IReadOnlyDictionary<string, string> TestNames { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<KvmReading> Counters { get; init; } = [];
    /// <summary>Exits (all vCPUs) between the baseline's two sync points; null when unreadable.</summary>
    public long? BaselineExits { get; init; }
    /// <summary>The same after the last case.</summary>
    public long? BaselineEndExits { get; init; }

    /// <summary>What is subtracted from each case's window: the mean of the baselines that were read.</summary>
    [JsonIgnore]
    public double? HandshakeExits => (BaselineExits, BaselineEndExits) switch
    {
        ({ } a, { } b) => (a + b) / 2.0,
        ({ } a, null) => a,
        (null, { } b) => b,
        _ => null,
    };
    /// <summary>A case the guest started and never finished: the vCPU did not come back (TIMEOUT) or the guest died in it.</summary>
    public string? Hung { get; init; }
    /// <summary>Cases this boot was told to leave out because an earlier boot hung in them.</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];
}

/// <summary>One case's figures over the boots of a column.</summary>
public sealed record VmexitCaseStats
{
    public required string Name { get; init; }
    /// <summary>pci-testdev's name for the test (pci-mem-N, pci-io-N), else empty.</summary>
    public string TestName { get; init; } = "";
    /// <summary>Why there are no figures (a guest SKIP, a hang, no usable boot); null when measured.</summary>
    public string? NotMeasured { get; init; }
    [JsonConverter(typeof(VmexitCaseStateJson))]
    public VmexitCaseState State { get; init; }
    public int Boots { get; init; }
    /// <summary>Per-operation cycles: median over boots of each boot's median over batches.</summary>
    public double? CyclesMedian { get; init; }
    /// <summary>The lowest batch over all boots.</summary>
    public double? CyclesMin { get; init; }
    /// <summary>Median over boots of each boot's p99 over batches.</summary>
    public double? CyclesP99 { get; init; }
    public double? AsmCyclesMedian { get; init; }
    [JsonPropertyName("csharpOverAsm")]
    public double? CSharpOverAsm { get; init; }
    /// <summary>(exits in the case's window − exits in the baseline window) / operations, median over boots.</summary>
    public double? ExitsPerOp { get; init; }
    public string? ExitsUnavailable { get; init; }
    /// <summary>The per-boot exits/op values (for compare and the spread).</summary>
    public IReadOnlyList<double> ExitsPerOpRuns { get; init; } = [];
    public IReadOnlyList<double> CyclesMedianRuns { get; init; } = [];
    public long Ops { get; init; }
    public int Cpus { get; init; } = 1;
    /// <summary>Median over boots of the handshake's exits (mean of the two baselines), subtracted above.</summary>
    public double? BaselineExits { get; init; }
    public double? TimerOverheadMedian { get; init; }
}
