using Runner.Host;

namespace Runner.Bench;

/// <summary>What `runner ipi` was asked to measure, as its options give it.</summary>
public sealed record IpiRequest
{
    public static readonly BenchTarget Target = new("ipi", "file = ipi, smp = 2", "`runner ipi` measures under KVM only and never reports TCG figures");

    public IReadOnlyList<ApicMode> Modes { get; init; } = [ApicMode.XApic, ApicMode.X2Apic];
    public IReadOnlyList<bool> Ipiv { get; init; } = [false, true];
    public Want Apicv { get; init; } = Want.Any;
    public bool Halt { get; init; }
    /// <summary>As given with --kind: unicast, self, broadcast, or pv (the same as `--send pv`, kept for older command lines).</summary>
    public IpiKind Kind { get; init; } = IpiKind.Unicast;
    /// <summary>As given with --send; null when not given (the ICR, or the hypercall for --kind pv).</summary>
    public IReadOnlyList<IpiSend>? Send { get; init; }
    public int Runs { get; init; } = 20;
    public int Cpus { get; init; } = 2;
    public int? Iterations { get; init; }
    public int? Warmup { get; init; }
    public string? Json { get; init; }
    public string? JUnit { get; init; }
    public string? Plot { get; init; }
    public bool ReloadKvm { get; init; }
    public int Jobs { get; init; } = 1;
    /// <summary>Boot q35, whose in-kernel PIT reinjects (an AVIC inhibit): to see the in-VM check catch it.</summary>
    public bool KeepPit { get; init; }

    /// <summary>The ways of sending to measure, each a set of columns of the one table.</summary>
    public IReadOnlyList<IpiSend> Sends => Send ?? (Kind == IpiKind.Pv ? [IpiSend.Pv] : [IpiSend.Icr]);

    /// <summary>The kind of IPI the ICR columns send (pv sends unicast IPIs, through the hypercall).</summary>
    public IpiKind IcrKind => Kind == IpiKind.Pv ? IpiKind.Unicast : Kind;

    /// <summary>What the target does while the IPI comes: itself for --kind self, else halted (--halt) or spinning.</summary>
    public IpiTarget TargetVcpu => Kind == IpiKind.Self ? IpiTarget.Self : Halt ? IpiTarget.Halt : IpiTarget.Spin;

    /// <summary>Contradictions in what was asked, before anything boots; null when consistent.</summary>
    public string? Validate()
    {
        if (Kind == IpiKind.Pv && Send is not null)
            return "--kind pv with --send: --kind pv is --send pv; give --send (e.g. --send icr,pv) with --kind unicast";
        if (Sends.Contains(IpiSend.Pv) && Kind is IpiKind.Self or IpiKind.Broadcast)
            return $"--send pv with --kind {Kind.Arg()}: the PV hypercall is measured as a unicast IPI to the second vCPU; drop --kind {Kind.Arg()} or send with --send icr";
        if (Apicv == Want.Off && Ipiv.Contains(true))
            return Ipiv.Contains(false)
                ? "--no-apicv with --compare-ipiv (the default) is contradictory: IPIv works only on top of APICv; add --no-ipiv to measure without APICv"
                : "--no-apicv with --ipiv is contradictory: IPIv works only on top of APICv";
        if (Kind != IpiKind.Self && Cpus < 2)
            return $"--kind {Kind.Arg()} needs a second vCPU to send to: use --cpus 2 or more (or --kind self)";
        if (Kind == IpiKind.Self && Halt)
            return "--halt with --kind self: the sender is its own target and cannot halt while it sends; drop --halt";
        return null;
    }
}
