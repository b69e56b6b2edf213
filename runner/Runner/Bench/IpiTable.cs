using System.Globalization;
using Runner.Protocol;
using Runner.Stats;

namespace Runner.Bench;

/// <summary>A table as text cells, so its content is unit-testable apart from Spectre's drawing.</summary>
public sealed record TextTable(IReadOnlyList<string> Headers, IReadOnlyList<TextRow> Rows, IReadOnlyList<string> Footnotes)
{
    public string Cell(string rowLabel, int column) => Rows.First(r => r.Label == rowLabel).Cells[column];
}

/// <summary>One row: its label (first column) and the other cells; Rule puts a line above it.</summary>
public sealed record TextRow(string Label, IReadOnlyList<string> Cells, bool Rule = false);

/// <summary>
/// The IPIv patch's table, from a report: one row per run with each column's round-trip
/// average, then Average, Median, Stdev, CV, 95% CI, and %Reduction between w/o and w/ IPIv
/// per APIC mode (negative: fewer cycles with IPIv, two decimals, as the patch prints it).
/// A column that could not run has no numbers, only a footnote with its reason.
/// </summary>
public static class IpiTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public const string Average = "Average";
    public const string Median = "Median";
    public const string Stdev = "Stdev";
    public const string Cv = "CV %";
    public const string Ci = "95% CI ±";
    public const string Reduction = "%Reduction";
    public const string Welch = "Welch t-test";
    public const string RunsUsed = "runs used";
    public const string Timer = "timer overhead";
    public const string Ratio = "C# / asm";

    /// <summary>The C# table: per available column a cycles and an exits/IPI sub-column.</summary>
    public static TextTable CSharp(IpiReport report) => Build(report, asm: false);

    /// <summary>The assembly reference: the same round trip without C#, one sub-column per column.</summary>
    public static TextTable Asm(IpiReport report) => Build(report, asm: true);

    /// <summary>One table column: a report column's cycles, its exits/IPI, or (NoNumbers) the place of one that has none.</summary>
    sealed record Slot(IpiColumnResult Column, bool Exits, bool NoNumbers = false);

    static TextTable Build(IpiReport report, bool asm)
    {
        var headers = new List<string> { asm ? "asm round trip" : "Cycles of IPI\ntest" };
        var slots = new List<Slot>();
        var footnotes = new List<string>();
        foreach (var c in report.Columns)
        {
            var title = c.Label.Replace(" w", "\nw", StringComparison.Ordinal);
            if (c.HasNumbers)
            {
                if (!c.InVmVerified && c.InVm is not null && (c.Ipiv || c.Apicv != Host.Want.Any))
                {
                    footnotes.Add($"{c.Label}: {c.InVm}");
                    title += $" (unverified [{footnotes.Count}])";
                }
                headers.Add(title + (asm ? "\nasm cycles" : "\ncycles"));
                slots.Add(new Slot(c, false));
                if (!asm)
                {
                    headers.Add("\n\nexits/IPI");
                    slots.Add(new Slot(c, true));
                }
            }
            else
            {
                var (state, why) = NoNumbers(c);
                footnotes.Add($"{c.Label}: {why}");
                headers.Add($"{title}\n{state} [{footnotes.Count}]");
                slots.Add(new Slot(c, false, NoNumbers: true));
            }
        }

        var rows = new List<TextRow>();
        int runCount = Math.Max(report.Settings.Runs, report.Columns.SelectMany(c => c.Runs).Select(r => r.Index).DefaultIfEmpty(0).Max());
        for (int i = 1; i <= runCount; i++)
        {
            int index = i;
            rows.Add(new TextRow(index.ToString(Inv), slots.Select(s => RunCell(s, index, asm)).ToList()));
        }

        string StatCell(Slot s, Func<IpiSummary, string> f)
        {
            if (s.NoNumbers || s.Column.Stats is not { } st) return "";
            var sum = s.Exits ? st.ExitsPerIpi : asm ? st.Asm : st.CSharp;
            return sum is null ? (s.Exits ? "n/a" : "") : f(sum);
        }
        // Averages keep two decimals as the patch prints them; a spread of millions does not need them.
        string Fmt(double v, bool exits) => double.IsNaN(v) ? "n/a" : exits ? v.ToString("0.00", Inv) : v.ToString("#,##0.##", Inv);
        string Spread(double v, bool exits) => double.IsNaN(v) ? "n/a" : exits ? v.ToString("0.00", Inv) : v.ToString(v >= 100 ? "#,##0" : "0.##", Inv);

        rows.Add(new TextRow(Average, slots.Select(s => StatCell(s, x => Fmt(x.Mean, s.Exits))).ToList(), Rule: true));
        rows.Add(new TextRow(Median, slots.Select(s => StatCell(s, x => Fmt(x.Median, s.Exits))).ToList()));
        rows.Add(new TextRow(Stdev, slots.Select(s => StatCell(s, x => Spread(x.Stdev, s.Exits))).ToList()));
        rows.Add(new TextRow(Cv, slots.Select(s => StatCell(s, x => double.IsNaN(x.CvPercent) ? "n/a" : x.CvPercent.ToString("0.00", Inv))).ToList()));
        rows.Add(new TextRow(Ci, slots.Select(s => StatCell(s, x => Spread(x.Ci95HalfWidth, s.Exits))).ToList()));

        // %Reduction sits under the w/ IPIv column of each APIC mode, as in the patch.
        var reduction = slots.Select(s => ReductionCell(report, s, asm)).ToList();
        if (reduction.Any(c => c.Length > 0))
            rows.Add(new TextRow(Reduction, reduction));
        if (!asm)
        {
            var welch = slots.Select(s => WelchCell(report, s)).ToList();
            if (welch.Any(c => c.Length > 0))
                rows.Add(new TextRow(Welch, welch));
            rows.Add(new TextRow(RunsUsed, slots.Select(s => s.NoNumbers || s.Exits || s.Column.Stats is null ? "" :
                $"{s.Column.Stats.RunsUsed}/{s.Column.Runs.Count}").ToList(), Rule: true));
            rows.Add(new TextRow(Timer, slots.Select(s => s.NoNumbers || s.Exits || s.Column.Stats?.TimerOverheadMedian is not { } t ? "" :
                t.ToString("#,##0", Inv)).ToList()));
            rows.Add(new TextRow(Ratio, slots.Select(s => s.NoNumbers || s.Exits || s.Column.Stats?.CSharpOverAsm is not { } q ? "" :
                q.ToString("0.00", Inv) + "x").ToList()));
        }
        return new TextTable(headers, rows, footnotes);
    }

    /// <summary>A column without figures: the word in its header, and the footnote that says why.</summary>
    static (string State, string Why) NoNumbers(IpiColumnResult c)
    {
        if (c.Unavailable is { } why) return ("unavailable", $"unavailable: {why}");
        if (c.Contradicted is { } contra) return ("inhibited", $"no numbers: {contra}");
        if (c.Runs.Count == 0) return ("no result", "no result: no run finished");
        var first = c.Runs.First(r => !r.Used);
        // A guest that could not test here (SKIP), or a known host bug (XFAIL), is no failure of the column.
        if (c.Runs.All(r => r.Outcome == Outcome.Skip))
            return ("skipped", $"skipped: the guest could not measure on this host: {first.Reason}");
        if (c.Runs.All(r => r.Outcome == Outcome.XFail))
            return ("known issue", $"no numbers: a known host issue ({string.Join(", ", c.Runs.SelectMany(r => r.Errata).Distinct().DefaultIfEmpty("tests/errata.cfg"))}) " +
                                   $"in all {c.Runs.Count} runs: {first.Reason}");
        return ("no result", $"no result: all {c.Runs.Count} runs failed; first: run {first.Index}: {first.Excluded}");
    }

    static string RunCell(Slot s, int index, bool asm)
    {
        if (s.NoNumbers) return "";
        var run = s.Column.Runs.FirstOrDefault(r => r.Index == index);
        if (run is null) return "";
        if (!run.Used) return s.Exits ? "" : $"({run.Outcome.Label()})";
        if (s.Exits) return run.ExitsPerIpi is { } e ? e.ToString("0.00", Inv) : "n/a";
        return run.Metric(asm ? IpiAnalysis.AsmAvg : IpiAnalysis.CyclesAvg) is { } v ? v.ToString("#,##0", Inv) : "n/a";
    }

    static string ReductionCell(IpiReport report, Slot s, bool asm)
    {
        if (s.Exits || !s.Column.Ipiv) return "";
        var r = ReductionOf(report, s.Column);
        if (r is null) return "";
        // The cell keeps the reason's first clause; the whole reason is printed under the table.
        if (r.NotAvailable is { } why) return $"n/a: {why.Split(':')[0]}";
        var p = asm ? r.AsmPercent : r.Percent;
        return p is { } v ? Change.Format(v) : "n/a";
    }

    static string WelchCell(IpiReport report, Slot s)
    {
        if (s.NoNumbers || s.Exits || !s.Column.Ipiv) return "";
        var r = ReductionOf(report, s.Column);
        if (r is null || r.NotAvailable is not null) return "";
        return r.Significant switch
        {
            true => $"significant (t={r.WelchT!.Value.ToString("0.0", Inv)})",
            false => $"not significant (t={r.WelchT!.Value.ToString("0.0", Inv)})",
            null => "n/a: too few runs",
        };
    }

    static IpiReduction? ReductionOf(IpiReport report, IpiColumnResult c) =>
        report.Reductions.FirstOrDefault(x => x.Apic == c.Apic && x.Send == c.Send);

    /// <summary>Unavailable columns never reach here with numbers; the %Reduction n/a for them goes under w/ IPIv.</summary>
    public static IReadOnlyList<string> ReductionNotes(IpiReport report) =>
        report.Reductions.Select(r => r.NotAvailable is { } why
            ? $"%Reduction {Label(r)}: n/a: {why}"
            : $"%Reduction {Label(r)}: {Change.Format(r.Percent ?? double.NaN)} (C#), {Change.Format(r.AsmPercent ?? double.NaN)} (asm); " +
              (r.Significant is { } sig ? (sig ? "significant at 95% (Welch)" : "not significant at 95% (Welch)") : "too few runs for a t-test")).ToList();

    static string Label(IpiReduction r) => (r.Apic == "x2apic" ? "x2APIC" : "xAPIC") + (r.Send == IpiSend.Pv ? " PV" : "");
}
