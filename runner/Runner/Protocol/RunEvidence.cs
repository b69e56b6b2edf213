namespace Runner.Protocol;

/// <summary>Why the runner stopped QEMU itself rather than QEMU exiting.</summary>
public enum Termination
{
    None,
    /// <summary>No output for the entry's timeout.</summary>
    IdleTimeout,
    /// <summary>Output kept coming but the run exceeded the hard cap.</summary>
    HardTimeout,
    /// <summary>QEMU printed "KVM internal error" and would have paused forever.</summary>
    KvmInternalError,
    /// <summary>Ctrl-C or the runner being terminated.</summary>
    Cancelled,
    /// <summary>A second `#kt begin`: the guest reset (a triple fault where QEMU reboots) and started over.</summary>
    GuestReset,
    /// <summary>A line longer than the protocol's limit without a newline.</summary>
    OverlongLine,
}

/// <summary>Everything the judge looks at for one run; no I/O, so verdicts are unit-testable from recorded lines.</summary>
public sealed record RunEvidence
{
    /// <summary>QEMU's stdout: the guest's COM1.</summary>
    public IReadOnlyList<string> Stdout { get; init; } = [];
    public IReadOnlyList<string> Stderr { get; init; } = [];
    /// <summary>Null when QEMU never exited on its own.</summary>
    public int? ExitStatus { get; init; }
    public Termination Termination { get; init; } = Termination.None;
    /// <summary>Human explanation of the termination ("no output for 20 s").</summary>
    public string TerminationDetail { get; init; } = "";
    /// <summary>vCPUs QEMU was given; the guest's `#kt begin` must agree. Null skips that check.</summary>
    public int? ExpectedCpus { get; init; }
}
