namespace Runner.Bench;

/// <summary>
/// A column of `runner ipi` as a test, for CI (`--junit`): it fails when a run failed or,
/// in the --keep-pit diagnostic, when the inhibit the diagnostic provokes was not reported
/// (the in-VM check would then be blind). A column the host cannot give is skipped.
/// </summary>
public static class IpiColumnVerdict
{
    /// <summary>Null: passed; else ("skipped"|"failure", why).</summary>
    public static (string Kind, string Why)? Judge(IpiColumnResult c, bool diagnostic)
    {
        if (c.Unavailable is { } why) return ("skipped", why);
        var failed = c.Runs.Where(r => !r.Used).ToList();
        if (c.Runs.Count == 0) return ("failure", "no run finished");
        if (failed.Count > 0) return ("failure", $"{failed.Count} of {c.Runs.Count} runs failed; first: run {failed[0].Index}: {failed[0].Excluded}");
        bool needsApicv = c.Ipiv || c.Apicv == "on";
        if (diagnostic && needsApicv && c.Runs.Any(r => r.Apicv?.Inhibits.Contains("PIT_REINJ") != true))
            return ("failure", $"--keep-pit gave the VM a reinjecting PIT, yet the in-VM check did not report PIT_REINJ: {c.InVm}");
        return null;
    }
}
