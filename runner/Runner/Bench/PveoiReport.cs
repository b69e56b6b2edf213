using Runner.Protocol;

namespace Runner.Bench;

/// <summary>
/// Everything `runner pveoi --json` records: the host header (host, kernel, QEMU, command), the
/// interrupt load asked for, and per side (PV-EOI off, on) the boot's verdict and the counts
/// behind the three tables (guest metrics, tracepoints, QMP statistics). A count that could not
/// be taken is absent, with the reason beside it, never 0. `runner report` reads it back.
/// </summary>
public sealed record PveoiReport : BenchReport
{
    public const string CurrentSchema = "ktest-pveoi/1";

    public PveoiReport() : base(CurrentSchema) { }

    public required PveoiSettings Settings { get; init; }
    /// <summary>Why no tracepoint could be counted on this host; null when perf could count them.</summary>
    public string? TracepointsUnavailable { get; init; }
    /// <summary>The tracepoints the table has rows for, in its order (some may be unavailable per row).</summary>
    public IReadOnlyList<string> Tracepoints { get; init; } = [];
    /// <summary>Tracepoint → why this host gives no count for it (no such tracepoint, or the backend does not run that code).</summary>
    public IReadOnlyDictionary<string, string> TracepointRowUnavailable { get; init; } = new Dictionary<string, string>();
    /// <summary>Off, then on.</summary>
    public IReadOnlyList<PveoiSideResult> Sides { get; init; } = [];
}

public sealed record PveoiSettings
{
    /// <summary>timer, ipi or msi.</summary>
    public required string Source { get; init; }
    public int Rate { get; init; }
    public int Seconds { get; init; }
    public int Cpus { get; init; } = 1;
    public string Machine { get; init; } = "";
    public IReadOnlyList<string> ExtraParams { get; init; } = [];
}

/// <summary>One side of the comparison: its boot and the counts of its loaded interval.</summary>
public sealed record PveoiSideResult
{
    public required string Label { get; init; }
    /// <summary>"off" or "on": the guest's pveoi= argument.</summary>
    public required string Setting { get; init; }
    public required Outcome Outcome { get; init; }
    public string Reason { get; init; } = "";
    public double DurationSeconds { get; init; }
    public IReadOnlyList<string> Argv { get; init; } = [];
    public string? LogPath { get; init; }
    /// <summary>tests/irqload's metrics (irqload.delivered, .eoi_written, .eoi_skipped) as the guest reported them.</summary>
    public IReadOnlyDictionary<string, long> Guest { get; init; } = new Dictionary<string, long>();
    /// <summary>Tracepoint → count over the loaded interval less the empty region's; absent when not counted.</summary>
    public IReadOnlyDictionary<string, long> Tracepoints { get; init; } = new Dictionary<string, long>();
    /// <summary>Tracepoint → count over the empty region (one sync handshake).</summary>
    public IReadOnlyDictionary<string, long> TracepointBaseline { get; init; } = new Dictionary<string, long>();
    /// <summary>Why this side has no tracepoint counts (perf failed to attach, a sync point missing); null otherwise.</summary>
    public string? TracepointsProblem { get; init; }
    /// <summary>QMP query-stats vCPU counters over the loaded interval less one sync handshake.</summary>
    public IReadOnlyDictionary<string, long> Qmp { get; init; } = new Dictionary<string, long>();
    /// <summary>QMP exits of the empty region (one sync handshake), subtracted above.</summary>
    public long? QmpHandshakeExits { get; init; }
    /// <summary>Why there are no QMP counts; null when read.</summary>
    public string? QmpUnavailable { get; init; }

    public long? GuestMetric(string name) => Guest.TryGetValue(name, out var v) ? v : null;
    public long? Tracepoint(string name) => Tracepoints.TryGetValue(name, out var v) ? v : null;
    public long? QmpCounter(string name) => Qmp.TryGetValue(name, out var v) ? v : null;
}
