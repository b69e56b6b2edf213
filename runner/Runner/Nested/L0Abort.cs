using Runner.Config;
using Runner.Host;
using Runner.Qemu;

namespace Runner.Nested;

/// <summary>
/// The QEMU that runs L1 (L0's) stopping on a known bug of its own: an assertion on its
/// stderr that a run erratum names for the command L1 ran (`test =` the command's name,
/// vmexit, run, ...), on this host (`when =` L0's facts: its backend, accel=tcg, its QEMU).
/// Inside L1 nothing outlives it, so the outer runner is the one that can say so.
/// </summary>
public static class L0Abort
{
    public sealed record Known(string ErratumId, string Reason, string Line);

    /// <summary>The first stderr line a run erratum for <paramref name="command"/> covers on this host, or null.</summary>
    public static async Task<Known?> FindAsync(IReadOnlyList<string> stderr, string command, string errataFile, string qemuPath, string l1Accel)
    {
        if (stderr.Count == 0 || !File.Exists(errataFile)) return null;
        var caps = await HostCapsProbe.ProbeAsync("/", qemuPath, bootGuest: false);
        var facts = new ConditionFacts(caps.Backend, l1Accel, caps.Cpu.Vendor, caps.Qemu?.Version)
        {
            Kernel = ConditionFacts.KernelVersion(caps.KernelRelease),
        };
        return Match(stderr, command, ErrataParser.ParseFile(errataFile, errataFile), facts);
    }

    /// <param name="facts">L0's: its KVM backend, the accelerator L1 runs on, its CPU and QEMU.</param>
    public static Known? Match(IReadOnlyList<string> stderr, string command, IReadOnlyList<Erratum> errata, ConditionFacts facts)
    {
        foreach (var line in stderr.Select(l => l.Trim()).Where(l => l.Length > 0))
            if (errata.FirstOrDefault(e => e.MatchesRunFailure(command, line, facts)) is { } e)
                return new Known(e.Id, e.Reason, line);
        return null;
    }

    /// <summary>How the inner `runner vmexit` names a case when it announces it.</summary>
    public const string VmexitPart = "vmexit ";
    /// <summary>L1 boots one command may take: a host that aborts in every case should not boot for hours.</summary>
    public const int MaxLeftOut = 3;

    /// <summary>
    /// For a `vmexit` that an abort ended in case C: the same command with `--leave-out C=WHY`,
    /// so the next L1 loses only that case and its row says why; null for other commands, an
    /// abort before any case, or after <see cref="MaxLeftOut"/> cases were left out so.
    /// </summary>
    public static IReadOnlyList<string>? RetryArgs(IReadOnlyList<string> args, string? part, string? why = null)
    {
        if (NestedArgs.Command(args) != "vmexit" || part is null || !part.StartsWith(VmexitPart, StringComparison.Ordinal)) return null;
        var name = part[VmexitPart.Length..].Trim();
        if (name.Length == 0 || args.Count(a => a == "--leave-out") >= MaxLeftOut) return null;
        return [.. args, "--leave-out", why is { Length: > 0 } ? $"{name}={why}" : name];
    }
}
