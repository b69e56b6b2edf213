namespace Runner.Protocol;

/// <summary>
/// Decides PASS/FAIL/SKIP/TIMEOUT/XFAIL for one run. The guest's claims are never taken
/// alone: the `#kt end` counts must match the lines seen and QEMU's exit status, because
/// a guest that crashes mid-way or miscounts must not look like a pass.
/// </summary>
public static class VerdictJudge
{
    public const string KvmInternalErrorText = "KVM internal error";

    /// <param name="knownIssue">For a check name, the erratum that applies on this host, else null.</param>
    /// <param name="knownRunFailure">For the reason a whole run failed, the reason of a run erratum that applies, else null.</param>
    public static Verdict Judge(RunEvidence evidence, Func<string, KnownIssue?>? knownIssue = null,
                                Func<string, string?>? knownRunFailure = null)
    {
        knownIssue ??= _ => null;
        var records = ProtocolLineParser.ParseAll(evidence.Stdout);
        var checks = BuildChecks(records, knownIssue);
        var verdict = Decide(evidence, records, checks);
        // A run erratum never covers failed checks: those have check errata of their own.
        if (verdict.Outcome == Outcome.Fail && !checks.Any(c => c.Outcome == CheckOutcome.Fail)
            && knownRunFailure?.Invoke(verdict.Reason) is { } why)
            verdict = new Verdict(Outcome.XFail, $"{verdict.Reason} — known: {why}");
        return verdict with
        {
            Checks = checks,
            Metrics = records.OfType<MetricRecord>().ToList(),
            Infos = records.OfType<InfoRecord>().ToList(),
        };
    }

    static List<CheckResult> BuildChecks(IReadOnlyList<ProtocolRecord> records, Func<string, KnownIssue?> knownIssue)
    {
        var checks = new List<CheckResult>();
        foreach (var r in records)
        {
            switch (r)
            {
                case CheckPassRecord p:
                    checks.Add(knownIssue(p.Name) is { Intermittent: false } why
                        ? new CheckResult(p.Name, CheckOutcome.XPass, "", why.Reason) { ErratumId = why.Id }
                        : new CheckResult(p.Name, CheckOutcome.Pass, ""));
                    break;
                case CheckFailRecord f:
                    checks.Add(knownIssue(f.Name) is { } known
                        ? new CheckResult(f.Name, CheckOutcome.XFail, f.Detail, known.Reason) { ErratumId = known.Id }
                        : new CheckResult(f.Name, CheckOutcome.Fail, f.Detail));
                    break;
                case SkipRecord s:
                    checks.Add(new CheckResult(s.Name, CheckOutcome.Skip, s.Reason));
                    break;
            }
        }
        return checks;
    }

    static Verdict Decide(RunEvidence ev, IReadOnlyList<ProtocolRecord> records, List<CheckResult> checks)
    {
        var status = GuestExitStatus.Describe(ev.ExitStatus);

        // Not judged: the runner stopped it, so nothing it did or did not print says anything about the guest.
        if (ev.Termination == Termination.Cancelled)
            return new Verdict(Outcome.Skip, $"interrupted: {Or(ev.TerminationDetail, "the runner was stopped")}; not judged");

        // Checked before timeouts: after this error QEMU pauses, so a timeout would hide the cause.
        if (FindKvmInternalError(ev) is { } kvmError)
            return Fail(kvmError);

        if (ev.Termination == Termination.GuestReset)
            return Fail($"{ResetText}: {ev.TerminationDetail}; {LastProgress(ev, records)}");
        if (ev.Termination == Termination.OverlongLine)
            return Fail(ev.TerminationDetail);

        if (ev.Termination is Termination.IdleTimeout or Termination.HardTimeout)
            return new Verdict(Outcome.Timeout, $"{ev.TerminationDetail}; {LastProgress(ev, records)}");

        if (records.OfType<MalformedRecord>().FirstOrDefault() is { } bad)
            return Fail($"malformed protocol line {bad.LineNumber} ({bad.Problem}): {bad.Text}");

        if (records.OfType<FaultRecord>().FirstOrDefault() is { } fault)
            return Fail($"guest fault: {ExceptionNames.Describe(fault.Vector)} error 0x{fault.ErrorCode:x} rip 0x{fault.Rip:x} on cpu {fault.Cpu}" +
                        (fault.Text.Length > 0 ? $": {fault.Text}" : ""));

        var begins = records.OfType<BeginRecord>().ToList();
        var ends = records.OfType<EndRecord>().ToList();
        if (begins.Count == 0 && ends.Count == 0 && ev.Termination == Termination.None && ev.ExitStatus is not null
            && !ev.Stdout.Any(l => l.Trim().Length > 0) && FirstStderrLine(ev) is { } qemuError)
            return Fail($"QEMU did not start: {qemuError} ({status})");
        if (begins.Count == 0 && ends.Count == 0)
            return Fail($"guest never started (no `#kt begin`); {status}{FirstStderr(ev)}");
        if (begins.Count > 1)
            return Fail($"{ResetText}: `#kt begin` seen {begins.Count} times (lines {string.Join(", ", begins.Select(b => b.LineNumber))}): the guest started over");
        // QEMU runs with -no-reboot: a reset (a triple fault) ends it with status 0, without isa-debug-exit.
        // A QEMU stopped by someone's signal says so on stderr and is not a reset.
        if (ends.Count == 0 && ev.ExitStatus == 0 && ev.Termination == Termination.None
            && FirstStderrLine(ev) is null)
            return Fail($"{ResetText}: QEMU exited with status 0 (its -no-reboot turns a reset into an exit) with no `#kt end`; {LastProgress(ev, records)}");
        if (ends.Count == 0)
            return Fail($"guest ended without summary (no `#kt end`); {status}; {LastProgress(ev, records)}{FirstStderr(ev)}");
        if (ends.Count > 1)
            return Fail($"`#kt end` seen {ends.Count} times: the summary must be the last protocol line");
        var end = ends[0];
        if (begins.Count == 0)
            return Fail("`#kt end` without `#kt begin`: the guest skipped its start line");
        if (records.FirstOrDefault(r => r.LineNumber > end.LineNumber) is { } late)
            return Fail($"protocol line {late.LineNumber} comes after `#kt end` (line {end.LineNumber}): the summary must be last");

        if (ev.ExpectedCpus is { } cpus && begins[0].Cpus != cpus)
            return Fail($"guest reports {begins[0].Cpus} vCPU(s) in `#kt begin` but QEMU was given {cpus}");

        int pass = records.Count(r => r is CheckPassRecord);
        int fail = records.Count(r => r is CheckFailRecord);
        int skip = records.Count(r => r is SkipRecord);
        if ((end.Pass, end.Fail, end.Skip) != (pass, fail, skip))
            return Fail($"summary mismatch: `#kt end {end.Pass} {end.Fail} {end.Skip}` but saw {pass} pass, {fail} fail, {skip} skip lines");

        int expectedStatus = GuestExitStatus.Expected(pass, fail);
        if (ev.ExitStatus != expectedStatus)
            return Fail($"exit status disagrees with summary: {status}, expected {expectedStatus} for {pass} pass, {fail} fail{FirstStderr(ev)}");

        var failed = checks.Where(c => c.Outcome == CheckOutcome.Fail).ToList();
        if (failed.Count > 0)
            return Fail($"{failed.Count} of {pass + fail} checks failed: " +
                        string.Join("; ", failed.Select(c => $"{c.Name}: {c.Detail}")));

        var xfailed = checks.Where(c => c.Outcome == CheckOutcome.XFail).ToList();
        if (xfailed.Count > 0)
            return new Verdict(Outcome.XFail, string.Join("; ", xfailed.Select(c => $"{c.Name}: {c.ErratumReason}")));

        if (pass == 0)
        {
            var firstSkip = checks.FirstOrDefault(c => c.Outcome == CheckOutcome.Skip);
            return new Verdict(Outcome.Skip, firstSkip is null
                ? "the guest ran no checks"
                : $"all {skip} checks skipped: {firstSkip.Name}: {firstSkip.Detail}");
        }

        return new Verdict(Outcome.Pass, "");

        static Verdict Fail(string reason) => new(Outcome.Fail, reason);
    }

    static string? FindKvmInternalError(RunEvidence ev)
    {
        var all = ev.Stderr.Concat(ev.Stdout).ToList();
        int i = all.FindIndex(l => l.Contains(KvmInternalErrorText, StringComparison.Ordinal));
        if (i < 0) return null;
        var head = all[i].Trim();
        // QEMU prints the cause ("emulation failure") below the headline, after up to eight "extra data" lines.
        var cause = all.Skip(i + 1).Take(12).FirstOrDefault(l => l.Contains("failure", StringComparison.OrdinalIgnoreCase));
        return cause is null ? head : $"{head} ({cause.Trim()})";
    }

    static string LastProgress(RunEvidence ev, IReadOnlyList<ProtocolRecord> records)
    {
        var lastRecord = records.LastOrDefault();
        if (lastRecord is not null)
            return $"last protocol line {lastRecord.LineNumber}: {ev.Stdout[lastRecord.LineNumber - 1].Trim()}";
        var lastLine = ev.Stdout.LastOrDefault(l => l.Trim().Length > 0);
        return lastLine is null ? "the guest printed nothing" : $"no protocol line; last output: {lastLine.Trim()}";
    }

    static string FirstStderr(RunEvidence ev) => FirstStderrLine(ev) is { } line ? $"; stderr: {line}" : "";

    static string? FirstStderrLine(RunEvidence ev) => ev.Stderr.FirstOrDefault(l => l.Trim().Length > 0)?.Trim();

    /// <summary>How every reset verdict starts, so a reader (and an `expect =` pattern) finds it by one phrase.</summary>
    public const string ResetText = "triple fault / guest reset";

    static string Or(string s, string fallback) => s.Length > 0 ? s : fallback;
}
