using System.Globalization;

namespace Runner.Host;

/// <summary>
/// Whether this runner is the inner one, inside an L1 Linux host that an outer runner booted
/// (`--host-kernel`), and what that means for its figures and time limits. The outer runner
/// says so through the environment of the job it starts in L1; nothing else sets these.
/// </summary>
public sealed record NestedHost(bool IsL1, string L0Accel, string Origin, double TimeScale, string ScaleDetail)
{
    public const string AccelVariable = "KTEST_L1_ACCEL";
    public const string OriginVariable = "KTEST_L1_ORIGIN";
    public const string L0LoopVariable = "KTEST_L0_LOOP_NS";
    public const string CommandVariable = "KTEST_L0_COMMAND";
    /// <summary>
    /// What the inner runner prints as a guest enters a named part (a vmexit case), so that the
    /// outer one knows where an L1 that dies with its L0 QEMU was: nothing inside L1 outlives it.
    /// </summary>
    public const string PartAnnouncement = "ktest-l1: part ";

    /// <summary>The slowest an L1 may be taken to be: past it a hang would take hours to be called one.</summary>
    public const double MaxTimeScale = 40;

    public static readonly NestedHost NotNested = new(false, "", "", 1, "");

    static readonly Lazy<NestedHost> FromEnvironment = new(() => Read(Environment.GetEnvironmentVariable));

    /// <summary>This process's answer, read once.</summary>
    public static NestedHost Current => FromEnvironment.Value;

    /// <summary>A time limit tuned on an ordinary host, stretched by how much slower this one runs code.</summary>
    public static TimeSpan Scale(TimeSpan limit) => Current.Stretch(limit);

    public TimeSpan Stretch(TimeSpan limit) => TimeScale <= 1 ? limit : TimeSpan.FromTicks((long)(limit.Ticks * TimeScale));

    /// <summary>The command as the person typed it (on L0, with its --host-kernel), for every table's header.</summary>
    public string CommandLine { get; init; } = "runner " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

    /// <summary>The errata fact `l1=`: how the L1 host runs (tcg, kvm), or none outside one.</summary>
    public string L1Fact => IsL1 ? L0Accel : "none";

    /// <summary>The under-TCG case: guest cycles come from QEMU's translator, not from a CPU.</summary>
    public bool CyclesFromEmulator => IsL1 && L0Accel == "tcg";

    /// <summary>Where a result came from, e.g. "kvm_amd, L1 Linux 6.12.57+deb12-amd64 under TCG".</summary>
    public string Where(string backend, string kernelRelease) =>
        IsL1 ? $"{backend}, {InL1(kernelRelease)}" : $"{backend}, Linux {kernelRelease}";

    /// <summary>"L1 Linux 6.12.57+deb12-amd64 under TCG".</summary>
    public string InL1(string kernelRelease) => $"L1 Linux {kernelRelease} under {L0Accel.ToUpperInvariant()}";

    /// <summary>What a reader of cycle and exit figures from here must know; empty on an ordinary host.</summary>
    public string FiguresCaveat => !IsL1 ? "" : CyclesFromEmulator
        ? "cycle figures come from QEMU's TCG emulation of L1 and are not comparable with hardware; exit and injection counts are real KVM behaviour"
        : "cycle figures include nested virtualization (L2 under L1 KVM); exit and injection counts are real KVM behaviour";

    internal static NestedHost Read(Func<string, string?> env, Func<long>? measureLoop = null)
    {
        var accel = env(AccelVariable);
        if (string.IsNullOrEmpty(accel))
            return NotNested;
        var origin = env(OriginVariable) ?? "";
        var command = env(CommandVariable) is { Length: > 0 } c ? c : NotNested.CommandLine;
        if (!long.TryParse(env(L0LoopVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l0Ns) || l0Ns <= 0)
            return new NestedHost(true, accel, origin, 1, "no L0 calibration was passed in: time limits not stretched") { CommandLine = command };
        long l1Ns = (measureLoop ?? CpuLoopCalibration.MeasureNanoseconds)();
        var (scale, detail) = ScaleFrom(l0Ns, l1Ns);
        return new NestedHost(true, accel, origin, scale, detail) { CommandLine = command };
    }

    /// <summary>The ratio of the same loop's time here and on L0, never below 1, capped at <see cref="MaxTimeScale"/>.</summary>
    public static (double Scale, string Detail) ScaleFrom(long l0Ns, long l1Ns)
    {
        double ratio = (double)l1Ns / l0Ns;
        double scale = Math.Round(Math.Clamp(ratio, 1, MaxTimeScale), 1);
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"time limits ×{scale:0.0}: the calibration loop took {l1Ns / 1e6:0.0} ms here, {l0Ns / 1e6:0.0} ms on L0");
        if (ratio > MaxTimeScale)
            detail += string.Create(CultureInfo.InvariantCulture, $" (ratio {ratio:0.0}, capped at {MaxTimeScale:0})");
        return (scale, detail);
    }
}
