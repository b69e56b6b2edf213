using Runner.Execution;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Stats;

namespace Runner.Bench;

/// <summary>
/// From boots of the vmexit kernel to the table's figures. The guest's names: `bench.NAME.*`
/// metrics, `#kt sync bench.NAME.begin|end` around each case's timed batches (the runner reads
/// KVM's counters there), `#kt info bench.case NAME` as each case starts, `bench.NAME.ran`
/// checks, and a `baseline` case of empty batches whose exits are the handshake's own.
/// </summary>
public static class VmexitAnalysis
{
    public const string Prefix = "bench.";
    public const string Baseline = "baseline";
    /// <summary>The same handshake after the last case: with the first, how much the handshake varies.</summary>
    public const string BaselineEnd = "baseline_end";
    /// <summary>The tag after every timed region (the same for all, so the line printed inside the window is too).</summary>
    public const string SharedEndTag = "bench.end";
    public const string CaseInfo = "bench.case";
    public const string ExitsCounter = "exits";
    public const string TimerMedian = "timer.overhead.median";
    const double Centi = 100.0;

    public static string BeginTag(string name) => $"{Prefix}{name}.begin";
    static bool IsEnd(string tag) => tag == SharedEndTag || tag.StartsWith(SharedEndTag + "#", StringComparison.Ordinal);

    /// <summary>The case's begin reading and the end reading right after it, or why not.</summary>
    static (KvmCounters? Begin, KvmCounters? End, string? Why) Window(IReadOnlyList<KvmReading> readings, string name)
    {
        var list = readings.ToList();
        int i = list.FindIndex(r => r.Tag == BeginTag(name));
        if (i < 0) return (null, null, $"no reading at `#kt sync {BeginTag(name)}`");
        if (i + 1 >= list.Count || !IsEnd(list[i + 1].Tag)) return (list[i].Counters, null, $"no reading at the `#kt sync {SharedEndTag}` after {BeginTag(name)}");
        return (list[i].Counters, list[i + 1].Counters, null);
    }

    public static VmexitRun ToRun(TestRunResult r, int index, IReadOnlyList<string> leftOut) =>
        FromRecords(index, r.Outcome, r.Verdict.Reason, r.Duration.TotalSeconds, r.Argv ?? [], r.LogPath,
            r.Verdict.Metrics, r.Verdict.Infos, r.Verdict.Checks, r.KvmReadings ?? [], r.Outcome is Outcome.Pass or Outcome.XFail, leftOut);

    /// <summary>The same from the parts (recorded logs in tests).</summary>
    public static VmexitRun FromRecords(int index, Outcome outcome, string reason, double seconds, IReadOnlyList<string> argv, string? logPath,
        IReadOnlyList<MetricRecord> metricRecords, IReadOnlyList<InfoRecord> infos, IReadOnlyList<CheckResult> checks,
        IReadOnlyList<KvmReading> readings, bool completed, IReadOnlyList<string> leftOut)
    {
        var metrics = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var m in metricRecords) metrics[m.Name] = m.Value;
        var started = infos.Where(i => i.Key == CaseInfo).Select(i => i.Text.Trim()).ToList();
        var testNames = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var i in infos.Where(i => i.Key.StartsWith(Prefix, StringComparison.Ordinal) && i.Key.EndsWith(".test", StringComparison.Ordinal)))
            testNames[i.Key[Prefix.Length..^".test".Length]] = i.Text.Trim();
        var skipped = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var failed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var ran = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in checks)
        {
            if (!c.Name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            var rest = c.Name[Prefix.Length..];
            if (c.Outcome == CheckOutcome.Skip) { skipped[rest] = c.Detail; continue; }
            int dot = rest.IndexOf('.');
            if (dot <= 0) continue;
            var name = rest[..dot];      // case names have no dots: bench.NAME.CHECK
            if (rest[dot..] == ".ran") ran.Add(name);
            // A known host issue is no failure of the run, but its case's figures from this boot
            // are no measurement either (a lost wake-up cut short by a watchdog): both leave them out.
            if (c.Outcome is CheckOutcome.Fail && !failed.ContainsKey(name)) failed[name] = $"{c.Name}: {c.Detail}";
            if (c.Outcome is CheckOutcome.XFail && !failed.ContainsKey(name)) failed[name] = $"{c.Name}: known host issue [{c.ErratumId}]: {c.Detail}";
        }
        // The last case started but neither skipped nor checked is where the guest stopped.
        string? hung = null;
        if (!completed && started.Count > 0)
        {
            var last = started[^1];
            if (!ran.Contains(last) && !skipped.ContainsKey(last)) hung = last;
        }
        return new VmexitRun
        {
            Index = index,
            Outcome = outcome,
            Reason = reason,
            DurationSeconds = Math.Round(seconds, 3),
            Argv = argv,
            LogPath = logPath,
            Metrics = metrics,
            CasesStarted = started,
            Skipped = skipped,
            Failed = failed,
            TestNames = testNames,
            Counters = readings.Where(x => x.Tag != SyncSession.EndTag).ToList(),
            BaselineExits = WindowExits(readings, Baseline),
            BaselineEndExits = WindowExits(readings, BaselineEnd),
            Hung = hung,
            LeftOut = leftOut,
        };
    }

    /// <summary>Exits of all vCPUs between the case's two sync points, or null when either reading is missing.</summary>
    public static long? WindowExits(IReadOnlyList<KvmReading> readings, string name)
    {
        var (begin, end, _) = Window(readings, name);
        if (begin is null || end is null) return null;
        var delta = KvmCounters.Delta(begin, end);
        return delta.IsAvailable && delta.Vcpu.TryGetValue(ExitsCounter, out var e) ? e : null;
    }

    /// <summary>Why a window's exits are missing, for the table's footnote.</summary>
    static string? WindowProblem(VmexitRun run, string name)
    {
        var (begin, end, why) = Window(run.Counters, name);
        if (begin is null || end is null) return why;
        var delta = KvmCounters.Delta(begin, end);
        return delta.Unavailable ?? (delta.Vcpu.ContainsKey(ExitsCounter) ? null : $"no `{ExitsCounter}` counter in query-stats");
    }

    /// <summary>Every case any boot started, in the guest's order.</summary>
    public static IReadOnlyList<string> CaseOrder(IReadOnlyList<VmexitRun> runs)
    {
        var order = new List<string>();
        foreach (var run in runs)
            foreach (var name in run.CasesStarted.Concat(run.LeftOut))
                if (!order.Contains(name)) order.Add(name);
        return order;
    }

    public static IReadOnlyList<VmexitCaseStats> CaseStats(IReadOnlyList<VmexitRun> runs) =>
        CaseOrder(runs).Select(name => StatsOf(name, runs)).ToList();

    /// <summary>
    /// The rows of cases the command was told to leave out with a reason: the guest only saw
    /// skip=, so without this the row would read as a plain skip and the reason (an L0 QEMU
    /// abort that ended a whole L1 host in that case) would be lost with it.
    /// </summary>
    public static IReadOnlyList<VmexitCaseStats> Lost(IReadOnlyList<VmexitCaseStats> cases, IReadOnlyDictionary<string, string> why) =>
        cases.Select(c => c.State == VmexitCaseState.Skip && why.TryGetValue(c.Name, out var w)
            ? c with { State = VmexitCaseState.Lost, NotMeasured = $"lost: {w}" }
            : c).ToList();

    static VmexitCaseStats StatsOf(string name, IReadOnlyList<VmexitRun> runs)
    {
        string testName = runs.Select(r => r.TestNames.GetValueOrDefault(name)).FirstOrDefault(t => t is not null) ?? "";
        var hungIn = runs.Where(r => r.Hung == name).ToList();
        if (hungIn.Count > 0)
            return new VmexitCaseStats
            {
                Name = name, TestName = testName, State = VmexitCaseState.Hung,
                NotMeasured = $"the guest never came back from it ({hungIn[0].Outcome.Label()}: {hungIn[0].Reason}); later boots left it out",
            };
        var skip = runs.Select(r => r.Skipped.GetValueOrDefault(name)).FirstOrDefault(s => s is not null);
        var measured = runs.Where(r => r.Metric($"{Prefix}{name}.centicycles.median") is not null && !r.Failed.ContainsKey(name)).ToList();
        if (measured.Count == 0)
        {
            var failure = runs.Select(r => r.Failed.GetValueOrDefault(name)).FirstOrDefault(f => f is not null);
            return new VmexitCaseStats
            {
                Name = name, TestName = testName,
                State = skip is not null ? VmexitCaseState.Skip : VmexitCaseState.Failed,
                NotMeasured = skip is not null ? $"SKIP: {skip}" : failure is not null ? $"its check failed: {failure}" : "no boot reported its figures",
            };
        }
        double? Med(string metric)
        {
            var v = measured.Select(r => r.Metric($"{Prefix}{name}.{metric}")).OfType<long>().Select(x => x / Centi).ToList();
            return v.Count == 0 ? null : Summary.MedianOf(v);
        }
        double? Cycles(VmexitRun r, string figure) => r.Metric($"{Prefix}{name}.centicycles.{figure}") is { } v ? v / Centi : null;
        var cycles = OverBoots.Of(measured.Select(r => Cycles(r, "median")!.Value).ToList(),
            measured.Select(r => Cycles(r, "min")).OfType<double>(), measured.Select(r => Cycles(r, "p99")).OfType<double>());
        var exits = new List<double>();
        var baselines = new List<double>();
        string? exitsWhy = null;
        foreach (var r in measured)
        {
            long ops = r.Metric($"{Prefix}{name}.ops") ?? 0;
            var window = WindowExits(r.Counters, name);
            if (window is null || r.HandshakeExits is null || ops <= 0)
            {
                exitsWhy ??= ops <= 0 ? "the guest reported no operation count"
                    : WindowProblem(r, window is null ? name : Baseline);
                continue;
            }
            // A window with fewer exits than the empty baseline says the waits differed, not
            // that the case saved exits: no figure from that boot, never a negative one.
            if (window.Value < r.HandshakeExits.Value)
            {
                exitsWhy ??= $"the handshake baseline ({r.HandshakeExits.Value:0} exits) exceeds the case's window ({window.Value:0}): raise --ops";
                continue;
            }
            exits.Add((window.Value - r.HandshakeExits.Value) / ops);
            baselines.Add(r.HandshakeExits.Value);
        }
        if (exits.Count > 0 && exits.Count < measured.Count)
            exitsWhy = $"counters missing in {measured.Count - exits.Count} of {measured.Count} boots: {exitsWhy}";
        var median = cycles.Median;
        var asm = Med("asm.centicycles.median");
        var timer = measured.Select(r => r.Metric(TimerMedian)).OfType<long>().Select(x => (double)x).ToList();
        return new VmexitCaseStats
        {
            Name = name,
            TestName = testName,
            Boots = measured.Count,
            CyclesMedian = median,
            CyclesMin = cycles.Min,
            CyclesP99 = cycles.P99,
            AsmCyclesMedian = asm,
            CSharpOverAsm = asm is > 0 ? median / asm.Value : null,
            ExitsPerOp = exits.Count == 0 ? null : Summary.MedianOf(exits),
            ExitsUnavailable = exitsWhy,
            ExitsPerOpRuns = exits,
            CyclesMedianRuns = cycles.Medians,
            Ops = measured[0].Metric($"{Prefix}{name}.ops") ?? 0,
            Cpus = (int)(measured[0].Metric($"{Prefix}{name}.cpus") ?? 1),
            BaselineExits = baselines.Count == 0 ? null : Summary.MedianOf(baselines),
            TimerOverheadMedian = timer.Count == 0 ? null : Summary.MedianOf(timer),
        };
    }
}
