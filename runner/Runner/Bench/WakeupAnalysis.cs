using Runner.Counters;
using Runner.Execution;
using Runner.Protocol;
using Runner.Stats;

namespace Runner.Bench;

/// <summary>One row of the wake-up table: a source and the target's state.</summary>
public sealed record WakeupSeries(string Source, string State)
{
    public string Key => $"{Source}.{State}";
    /// <summary>IPI and MSI figures subtract CPU 0's TSC from CPU 1's; the timer's are CPU 1's alone.</summary>
    public bool CrossCpu => Source != WakeupAnalysis.Timer;
    public string Label => $"{SourceLabel(Source)}, target {State}";

    public static string SourceLabel(string source) => source switch
    {
        WakeupAnalysis.Ipi => "IPI from CPU 0",
        WakeupAnalysis.Timer => "TSC-deadline timer (own, latency past deadline)",
        WakeupAnalysis.Msi => "edu MSI (CPU 0's raise write)",
        _ => source,
    };
}

/// <summary>
/// From boots of the wakeup kernel to the table's figures. The guest's names:
/// `wakeup.SOURCE.STATE.{min,median,p99,samples,sent,negative}` metrics, checks under the same
/// prefix, a skip named `wakeup.SOURCE.STATE`, and `wakeup.tsc.*` for the TSC check.
/// </summary>
public static class WakeupAnalysis
{
    public const string Prefix = "wakeup.";
    public const string Ipi = "ipi", Timer = "timer", Msi = "msi";
    public const string Running = "running", Halted = "halted";
    public static readonly IReadOnlyList<string> Sources = [Ipi, Timer, Msi];
    public static readonly IReadOnlyList<WakeupSeries> AllSeries =
        [.. Sources.SelectMany(s => new[] { new WakeupSeries(s, Running), new WakeupSeries(s, Halted) })];
    public const string TimerMedian = "timer.overhead.median", TimerMin = "timer.overhead.min";

    public static WakeupRun ToRun(TestRunResult r, int index, ApicvObservation? apicv) =>
        FromRecords(index, r.Outcome, r.Verdict.Reason, r.Duration.TotalSeconds, r.Argv ?? [], r.LogPath,
            r.Verdict.Metrics, r.Verdict.Checks, apicv);

    /// <summary>The same from the parts (recorded logs in tests).</summary>
    public static WakeupRun FromRecords(int index, Outcome outcome, string reason, double seconds, IReadOnlyList<string> argv, string? logPath,
        IReadOnlyList<MetricRecord> metricRecords, IReadOnlyList<CheckResult> checks, ApicvObservation? apicv)
    {
        var metrics = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var m in metricRecords) metrics[m.Name] = m.Value;
        var skipped = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var failed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in checks)
        {
            if (c.Name == "wakeup" && c.Outcome == CheckOutcome.Skip)
            {
                foreach (var s in AllSeries) skipped[s.Key] = c.Detail;
                continue;
            }
            var series = AllSeries.FirstOrDefault(s => c.Name == Prefix + s.Key || c.Name.StartsWith(Prefix + s.Key + ".", StringComparison.Ordinal));
            if (series is null) continue;
            if (c.Outcome == CheckOutcome.Skip) skipped[series.Key] = c.Detail;
            else if (c.Outcome == CheckOutcome.Fail && !failed.ContainsKey(series.Key)) failed[series.Key] = $"{c.Name}: {c.Detail}";
        }
        long? M(string name) => metrics.TryGetValue(name, out var v) ? v : null;
        var tsc = new WakeupTsc
        {
            Invariant = M("wakeup.tsc.invariant") is { } inv ? inv != 0 : null,
            Synchronised = M("wakeup.tsc.synchronised") is { } sync ? sync != 0 : null,
            OffsetLow = M("wakeup.tsc.offset_low"),
            OffsetHigh = M("wakeup.tsc.offset_high"),
            RoundTripMin = M("wakeup.tsc.roundtrip_min"),
        };
        return new WakeupRun
        {
            Index = index,
            Outcome = outcome,
            Reason = reason,
            DurationSeconds = Math.Round(seconds, 2),
            Argv = argv,
            LogPath = logPath,
            Metrics = metrics,
            Skipped = skipped,
            Failed = failed,
            Tsc = tsc,
            Apicv = apicv,
        };
    }

    /// <summary>
    /// A boot's figures for a row count when the row has its figures and passed its checks, and (for IPI and MSI) the boot's TSC check found the CPUs agreeing.
    /// </summary>
    public static IReadOnlyList<WakeupRowStats> Rows(IReadOnlyList<WakeupRun> runs, IReadOnlyList<string> sources, string? contradicted)
    {
        var rows = new List<WakeupRowStats>();
        foreach (var s in AllSeries.Where(s => sources.Count == 0 || sources.Contains(s.Source)))
            rows.Add(Row(s, runs, contradicted));
        return rows;
    }

    static WakeupRowStats Row(WakeupSeries s, IReadOnlyList<WakeupRun> runs, string? contradicted)
    {
        var baseRow = new WakeupRowStats { Source = s.Source, State = s.State, Label = s.Label, CrossCpu = s.CrossCpu };
        if (contradicted is not null)
            return baseRow with { NotMeasured = $"figures withheld: {contradicted}", Why = "contradicted" };
        if (runs.Count > 0 && runs.All(r => r.Skipped.ContainsKey(s.Key)))
            return baseRow with { NotMeasured = runs[0].Skipped[s.Key], Why = "skip" };
        var usable = new List<WakeupRun>();
        string? why = null, state = null;
        // A boot that failed elsewhere, or hung later, still measured the series it reported and passed.
        foreach (var r in runs)
        {
            if (r.Failed.TryGetValue(s.Key, out var f)) { why ??= $"boot {r.Index}: {f}"; state ??= "failed"; continue; }
            if (r.Metric($"{Prefix}{s.Key}.median") is null) continue;
            if (s.CrossCpu && r.Tsc.Synchronised != true)
            {
                why ??= r.Tsc.Synchronised is null
                    ? $"boot {r.Index}: the TSC check did not run, so CPU 1's TSC minus CPU 0's means nothing"
                    : $"boot {r.Index}: TSC not synchronised: CPU 1's offset from CPU 0 lies in [{r.Tsc.OffsetLow}, {r.Tsc.OffsetHigh}] cycles, which excludes 0";
                state ??= "tsc";
                continue;
            }
            usable.Add(r);
        }
        if (usable.Count == 0)
            return baseRow with
            {
                NotMeasured = why ?? (runs.Count == 0 ? "no boot ran" : $"no boot gave figures: {runs[^1].Outcome.Label()}: {runs[^1].Reason}"),
                Why = state ?? "failed",
            };
        double? Cycles(WakeupRun r, string figure) => r.Metric($"{Prefix}{s.Key}.{figure}");
        var latency = OverBoots.Of(usable.Select(r => Cycles(r, "median")!.Value).ToList(),
            usable.Select(r => Cycles(r, "min")).OfType<double>(), usable.Select(r => Cycles(r, "p99")).OfType<double>());
        return baseRow with
        {
            Boots = usable.Count,
            Median = latency.Median,
            P99 = latency.P99,
            Min = latency.Min,
            MedianRuns = latency.Medians,
            SamplesPerBoot = usable[0].Metric($"{Prefix}{s.Key}.samples") ?? 0,
            // A partial reason (some boots left out) stays visible beside the figure.
            NotMeasured = null,
            Why = why is null ? "" : $"partial: {why}",
        };
    }

    public static (double? Median, double? Min) TimerOverhead(IReadOnlyList<WakeupRun> runs)
    {
        var med = runs.Select(r => r.Metric(TimerMedian)).OfType<long>().Select(v => (double)v).ToList();
        var min = runs.Select(r => r.Metric(TimerMin)).OfType<long>().ToList();
        return (med.Count == 0 ? null : Summary.MedianOf(med), min.Count == 0 ? null : min.Min());
    }
}
