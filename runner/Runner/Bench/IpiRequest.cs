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
    public string Kind { get; init; } = "unicast";
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

    /// <summary>Contradictions in what was asked, before anything boots; null when consistent.</summary>
    public string? Validate()
    {
        if (Apicv == Want.Off && Ipiv.Contains(true))
            return Ipiv.Contains(false)
                ? "--no-apicv with --compare-ipiv (the default) is contradictory: IPIv works only on top of APICv; add --no-ipiv to measure without APICv"
                : "--no-apicv with --ipiv is contradictory: IPIv works only on top of APICv";
        if (Kind != "self" && Cpus < 2)
            return $"--kind {Kind} needs a second vCPU to send to: use --cpus 2 or more (or --kind self)";
        if (Kind == "self" && Halt)
            return "--halt with --kind self: the sender is its own target and cannot halt while it sends; drop --halt";
        return null;
    }
}
