using System.Globalization;
using Runner.Execution;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Stats;

namespace Runner.Bench;

/// <summary>From guest runs to the table's figures: which runs count, per-column statistics, %Reduction.</summary>
public static class IpiAnalysis
{
    public const string CyclesAvg = "ipi.cycles.avg";
    public const string CyclesMedian = "ipi.cycles.median";
    public const string CyclesP99 = "ipi.cycles.p99";
    public const string AsmAvg = "ipi.asm.cycles.avg";
    public const string AsmMedian = "ipi.asm.cycles.median";
    public const string Iterations = "ipi.iterations";
    public const string TimerMin = "timer.overhead.min";
    public const string TimerMedian = "timer.overhead.median";
    public const string Ratio = "ipi.csharp_over_asm_permille";
    public const string TscHz = "tsc.hz";
    public const string MeasureBegin = SyncTags.MeasureBegin;
    public const string MeasureEnd = SyncTags.MeasureEnd;
    public const string ExitsCounter = "exits";

    /// <summary>
    /// One guest run as the report keeps it. A run counts only if it PASSed, reported the
    /// C# average, and the guest says it ran the settings asked for (ipi.apic/kind/target
    /// infos): a run of the wrong configuration must not slip into a column.
    /// </summary>
    /// <param name="kind">The kind the ICR columns send; a PV column's guest reports pv.</param>
    public static IpiRun ToRun(TestRunResult r, int index, IpiColumn column, IpiTarget target, IpiKind kind)
    {
        kind = IpiPlan.KindOf(column, kind);
        var metrics = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var m in r.Verdict.Metrics) metrics[m.Name] = m.Value;
        var infos = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var i in r.Verdict.Infos) infos[i.Key] = i.Text.Trim();

        var readings = r.KvmReadings ?? [];
        var region = HandshakeBaseline.Between(readings, MeasureBegin, MeasureEnd);
        long iters = metrics.GetValueOrDefault(Iterations);
        double? PerIpi(KvmCounters c) =>
            c.IsAvailable && c.VcpuValue(ExitsCounter) is { } n && iters > 0 ? (double)n / iters : null;
        // The handshake's wait varies with the runner's latency; when one boot's baseline is
        // larger than its region, the difference says nothing about the batch.
        double? net = PerIpi(region.Net);
        string? exitsProblem = net < 0
            ? $"the handshake baseline ({region.Baseline.VcpuValue(ExitsCounter)} exits) exceeds the measured region ({region.Raw.VcpuValue(ExitsCounter)}): " +
              "the sync waits dominate this batch; raise --iters"
            : null;
        if (exitsProblem is not null) net = null;

        string? excluded = null;
        if (r.Outcome != Outcome.Pass)
            excluded = $"{r.Outcome.Label()}: {r.Verdict.Reason}";
        else if (!metrics.ContainsKey(CyclesAvg))
            excluded = $"no {CyclesAvg} metric in the guest's report";
        else
            excluded = Mismatch(infos, "ipi.apic", column.Apic.Arg())
                       ?? Mismatch(infos, "ipi.kind", kind.Arg())
                       ?? Mismatch(infos, "ipi.target", (kind == IpiKind.Self ? IpiTarget.Self : target).Arg());

        return new IpiRun
        {
            Index = index,
            Outcome = r.Outcome,
            Reason = r.Verdict.Reason,
            Used = excluded is null,
            Excluded = excluded,
            Errata = r.Verdict.Checks.Select(c => c.ErratumId).OfType<string>().Where(id => id.Length > 0).Distinct().ToList(),
            DurationSeconds = Math.Round(r.Duration.TotalSeconds, 3),
            Argv = r.Argv ?? [],
            Metrics = metrics,
            Infos = infos,
            Counters = readings.Where(x => x.Tag != SyncSession.EndTag).ToList(),
            MeasureDelta = region.Raw,
            BaselineDelta = region.Baseline,
            ExitsPerIpi = net,
            ExitsProblem = exitsProblem ?? (region.Net.IsAvailable ? null : region.Net.Unavailable),
            RawExitsPerIpi = PerIpi(region.Raw),
            BaselineExits = region.Baseline.IsAvailable ? region.Baseline.VcpuValue(ExitsCounter) : null,
            LogPath = r.LogPath,
        };
    }

    static string? Mismatch(IReadOnlyDictionary<string, string> infos, string key, string wanted) =>
        !infos.TryGetValue(key, out var actual) ? $"the guest did not report {key} (asked for {wanted})"
        : actual != wanted ? $"the guest ran {key}={actual}, not {wanted}"
        : null;

    /// <summary>Statistics over the used runs; null when none is usable.</summary>
    public static IpiColumnStats? ColumnStats(IReadOnlyList<IpiRun> runs)
    {
        var used = runs.Where(r => r.Used).ToList();
        if (used.Count == 0) return null;
        IpiSummary? Of(string metric)
        {
            var values = used.Select(r => r.Metric(metric)).OfType<long>().Select(v => (double)v).ToList();
            return values.Count == 0 ? null : IpiSummary.From(Summary.Of(values));
        }
        var exits = used.Select(r => r.ExitsPerIpi).OfType<double>().ToList();
        string? Why(IpiRun r) => r.ExitsProblem ?? r.MeasureDelta?.Unavailable ?? r.BaselineDelta?.Unavailable;
        string? exitsWhy = null;
        if (exits.Count == 0)
            exitsWhy = used.Select(Why).FirstOrDefault(u => u is not null)
                       ?? $"no `{ExitsCounter}` counter in query-stats";
        else if (exits.Count < used.Count)
            exitsWhy = $"counters missing in {used.Count - exits.Count} of {used.Count} runs: " +
                       used.Where(r => r.ExitsPerIpi is null).Select(Why).FirstOrDefault(u => u is not null);
        var baselines = used.Select(r => r.BaselineExits).OfType<long>().Select(v => (double)v).ToList();
        var raw = used.Select(r => r.RawExitsPerIpi).OfType<double>().ToList();
        var ratios = used.Select(r => r.Metric(Ratio)).OfType<long>().Select(v => v / 1000.0).ToList();
        var timerMedians = used.Select(r => r.Metric(TimerMedian)).OfType<long>().Select(v => (double)v).ToList();
        var timerMins = used.Select(r => r.Metric(TimerMin)).OfType<long>().ToList();
        return new IpiColumnStats
        {
            RunsUsed = used.Count,
            RunsExcluded = runs.Count - used.Count,
            CSharp = Of(CyclesAvg)!,
            Asm = Of(AsmAvg),
            ExitsPerIpi = exits.Count == 0 ? null : IpiSummary.From(Summary.Of(exits)),
            ExitsUnavailable = exitsWhy,
            RawExitsPerIpi = raw.Count == 0 ? null : IpiSummary.From(Summary.Of(raw)),
            HandshakeExits = baselines.Count == 0 ? null : IpiSummary.From(Summary.Of(baselines)),
            TimerOverheadMedian = timerMedians.Count == 0 ? null : Summary.MedianOf(timerMedians),
            TimerOverheadMin = timerMins.Count == 0 ? null : timerMins.Min(),
            CSharpOverAsm = ratios.Count == 0 ? null : ratios.Average(),
            CSharpMedianPerRun = Of(CyclesMedian),
            CSharpP99PerRun = Of(CyclesP99),
        };
    }

    /// <summary>Summary of the used runs' values of one metric (for compare and Welch).</summary>
    public static Summary? SummaryOf(IpiColumnResult column, string metric = CyclesAvg)
    {
        var values = column.Runs.Where(r => r.Used).Select(r => r.Metric(metric)).OfType<long>().Select(v => (double)v).ToList();
        return values.Count == 0 ? null : Summary.Of(values);
    }

    /// <summary>
    /// Per APIC mode and way of sending: (w/ − w/o) / w/o × 100 of the C# averages' means, as
    /// the patch computes "%Reduction" (negative: IPIv needs fewer cycles), with Welch's test on the runs.
    /// </summary>
    /// <param name="kind">The IPI kind the ICR columns send; a kind IPIv cannot act on on this backend (pv always) gets no %Reduction, only the reason.</param>
    public static IReadOnlyList<IpiReduction> Reductions(IReadOnlyList<IpiColumnResult> columns, IpiKind kind = IpiKind.Unicast, string backend = "")
    {
        var result = new List<IpiReduction>();
        foreach (var (apic, send) in columns.Select(c => (c.Apic, c.Send)).Distinct())
        {
            var notApplicable = IpivApplicability.WhyNot(send == IpiSend.Pv ? IpiKind.Pv : kind, backend);
            var without = columns.FirstOrDefault(c => c.Apic == apic && c.Send == send && !c.Ipiv);
            var with = columns.FirstOrDefault(c => c.Apic == apic && c.Send == send && c.Ipiv);
            string? why = (without, with) switch
            {
                _ when notApplicable is not null => notApplicable,
                (null, _) => "w/o IPIv was not measured (--ipiv)",
                (_, null) => "w/ IPIv was not measured (--no-ipiv)",
                _ when without.Unavailable is not null => "w/o IPIv is unavailable",
                _ when with.Unavailable is not null => "w/ IPIv is unavailable",
                _ when without.Contradicted is not null => $"w/o IPIv has no numbers: {without.Contradicted}",
                _ when with.Contradicted is not null => $"w/ IPIv has no numbers: {with.Contradicted}",
                _ when without.Stats is null => "w/o IPIv has no successful run",
                _ when with.Stats is null => "w/ IPIv has no successful run",
                _ => null,
            };
            if (why is not null)
            {
                result.Add(new IpiReduction { Apic = apic, Send = send, NotAvailable = why });
                continue;
            }
            var a = SummaryOf(without!)!;
            var b = SummaryOf(with!)!;
            var welch = Welch.Test(a, b);
            var asmA = SummaryOf(without!, AsmAvg);
            var asmB = SummaryOf(with!, AsmAvg);
            result.Add(new IpiReduction
            {
                Apic = apic,
                Send = send,
                Percent = Change.Percent(a.Mean, b.Mean),
                AsmPercent = asmA is null || asmB is null ? null : Change.Percent(asmA.Mean, asmB.Mean),
                Significant = welch.Testable ? welch.Significant : null,
                WelchT = welch.Testable ? welch.T : null,
                WelchDf = welch.Testable ? welch.DegreesOfFreedom : null,
            });
        }
        return result;
    }

    /// <summary>
    /// --iters auto: how many round trips per batch fit the per-run time budget, from one
    /// calibration boot. The guest runs a warm-up and four loops of that many round trips
    /// (C# batch, C# sampled, asm batch, asm sampled), so a run costs about 4.4 batches.
    /// </summary>
    public static (int Iterations, int Warmup, string Why) AutoIterations(IReadOnlyDictionary<string, long> calibration, double budgetSeconds,
        int min = 10, int max = 10_000)
    {
        // The slowest of the calibration's figures: a run that turns out faster only ends early,
        // one that turns out slower would blow the budget.
        long cycles = new[] { CyclesAvg, AsmAvg, CyclesMedian, AsmMedian }.Max(n => calibration.GetValueOrDefault(n));
        long hz = calibration.GetValueOrDefault(TscHz);
        if (cycles <= 0 || hz <= 0)
            throw new InvalidDataException($"the calibration boot reported no {(cycles <= 0 ? CyclesAvg : TscHz)}");
        double seconds = (double)cycles / hz;
        int iters = (int)Math.Clamp(Math.Floor(budgetSeconds / seconds / 4.4), min, max);
        int warmup = Math.Clamp(iters / 10, 5, 1000);
        var why = string.Create(CultureInfo.InvariantCulture,
            $"auto: a calibration boot measured {cycles:N0} cycles per round trip at {hz / 1e9:0.###} GHz ({seconds * 1e6:0.#} µs); " +
            $"{iters} fit a budget of {budgetSeconds:0.##} s of round trips per run (min {min}, max {max})");
        return (iters, warmup, why);
    }
}
