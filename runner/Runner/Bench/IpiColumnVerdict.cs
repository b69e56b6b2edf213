using Runner.Host;
using Runner.Protocol;

namespace Runner.Bench;

/// <summary>
/// A column of `runner ipi` as a test, for CI (`--junit`): it fails when a run failed or,
/// in the --keep-pit diagnostic, when the inhibit the diagnostic provokes was not reported
/// (the in-VM check would then be blind). A column the host cannot give is skipped. A run
/// that hit a known host issue (XFAIL, tests/errata.cfg) gives no figures, as its batch saw
/// the bug, but is no failure, the same as in `runner run`; a column with only such runs is
/// skipped. A column whose every run the guest skipped (no PV hypercall offered, say) is
/// skipped with the guest's reason. The in-VM inhibit reading does not depend on the
/// guest's checks, so the diagnostic still judges the runs with a known host issue.
/// </summary>
public static class IpiColumnVerdict
{
    /// <summary>Null: passed; else skipped or failed, and why.</summary>
    public static ColumnJudgement? Judge(IpiColumnResult c, bool diagnostic)
    {
        if (c.Unavailable is { } why) return ColumnJudgement.Skipped(why);
        if (c.Runs.Count == 0) return ColumnJudgement.Failed("no run finished");
        if (c.Runs.All(r => r.Outcome == Outcome.Skip))
            return ColumnJudgement.Skipped($"the guest could not measure on this host: run {c.Runs[0].Index}: {c.Runs[0].Reason}");
        var failed = c.Runs.Where(r => !r.Used && r.Outcome != Outcome.XFail).ToList();
        if (failed.Count > 0) return ColumnJudgement.Failed($"{failed.Count} of {c.Runs.Count} runs failed; first: run {failed[0].Index}: {failed[0].Excluded}");
        bool needsApicv = c.Ipiv || c.Apicv == Want.On;
        if (diagnostic && needsApicv && c.Runs.Any(r => r.Apicv?.Inhibits.Contains("PIT_REINJ") != true))
            return ColumnJudgement.Failed($"--keep-pit gave the VM a reinjecting PIT, yet the in-VM check did not report PIT_REINJ: {c.InVm}");
        if (c.Runs.All(r => !r.Used))
            return ColumnJudgement.Skipped($"every run hit a known host issue, so none gives figures; first: run {c.Runs[0].Index}: {c.Runs[0].Excluded}");
        return null;
    }
}

/// <summary>How a column that did not pass ends as a test: skipped (the host cannot give it) or failed.</summary>
public enum ColumnVerdictKind { Skipped, Failed }

/// <summary>A column that did not pass, and why.</summary>
public sealed record ColumnJudgement(ColumnVerdictKind Kind, string Why)
{
    public static ColumnJudgement Skipped(string why) => new(ColumnVerdictKind.Skipped, why);
    public static ColumnJudgement Failed(string why) => new(ColumnVerdictKind.Failed, why);
}
