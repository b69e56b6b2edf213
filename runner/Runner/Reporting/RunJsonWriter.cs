using Runner.Execution;
using Runner.Protocol;

namespace Runner.Reporting;

/// <summary>`runner run --json FILE`: every run's verdict, metrics, argv and KVM counters, for scripts.</summary>
public static class RunJsonWriter
{
    public const string Schema = "ktest-run/1";

    public sealed record RunFile(string Schema, string RunnerVersion, string Host, IReadOnlyList<RunEntry> Tests)
    {
        /// <summary>True when the run was stopped (Ctrl-C, SIGTERM) before every selected test ran; <see cref="PartialReason"/> says why.</summary>
        public bool Partial { get; init; }
        public string? PartialReason { get; init; }
    }

    public sealed record RunEntry(
        string Name,
        string Outcome,
        string Reason,
        string? Accel,
        string? Where,
        double DurationSeconds,
        IReadOnlyList<string>? Argv,
        IReadOnlyDictionary<string, long> Metrics,
        IReadOnlyDictionary<string, string> Infos,
        IReadOnlyList<CheckEntry> Checks,
        IReadOnlyList<KvmReading>? KvmCounters,
        string? LogPath,
        string? JudgedOutcome = null,
        string? JudgedReason = null);

    public sealed record CheckEntry(string Name, string Outcome, string? Detail, string? Erratum, string? ErratumId = null);

    public static RunFile Build(IReadOnlyList<TestRunResult> results, string hostLine, string? partialReason = null) =>
        new(Schema, RunnerVersion.Text, hostLine, results.Select(Entry).ToList()) { Partial = partialReason is not null, PartialReason = partialReason };

    static RunEntry Entry(TestRunResult r) => new(
        r.Entry.Name,
        r.Outcome.Label(),
        r.Verdict.Reason,
        r.Accel.Accel is { } a ? Qemu.AccelKindText.ToText(a) : null,
        r.Where,
        Math.Round(r.Duration.TotalSeconds, 3),
        r.Argv,
        LastByName(r.Verdict.Metrics.Select(m => (m.Name, m.Value))),
        LastByName(r.Verdict.Infos.Select(i => (i.Key, i.Text))),
        r.Verdict.Checks.Select(c => new CheckEntry(c.Name, c.Outcome.Label(), c.Detail.Length > 0 ? c.Detail : null, c.ErratumReason, c.ErratumId)).ToList(),
        r.KvmReadings,
        r.LogPath,
        r.Verdict.Judged?.Outcome.Label(),
        r.Verdict.Judged?.Reason);

    /// <summary>A guest may report a name twice; the last value is the one it ended with.</summary>
    static IReadOnlyDictionary<string, T> LastByName<T>(IEnumerable<(string Name, T Value)> items)
    {
        var d = new SortedDictionary<string, T>(StringComparer.Ordinal);
        foreach (var (name, value) in items) d[name] = value;
        return d;
    }
}
