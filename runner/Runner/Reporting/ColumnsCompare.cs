using System.Globalization;
using Runner.Bench;
using Runner.Stats;

namespace Runner.Reporting;

/// <summary>
/// What `runner compare` does alike for two vmexit or two wakeup reports: the notes on hosts,
/// images and emulated cycles, the pairing of columns by key (or why a column has no pair),
/// and the cells of the figures and of Welch's test.
/// </summary>
public static class ColumnsCompare
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Notes when the two reports come from different hosts or kernel images.</summary>
    public static List<string> HostNotes(BenchReport a, BenchReport b, string nameA, string nameB)
    {
        var notes = new List<string>();
        if (a.Host.CpuModel != b.Host.CpuModel || a.Host.KvmBackend != b.Host.KvmBackend || a.Host.Where != b.Host.Where)
            notes.Add($"hosts differ: {nameA} {a.Host.Where} {a.Host.CpuModel}, {nameB} {b.Host.Where} {b.Host.CpuModel}");
        if (a.Kernel.Sha256 != b.Kernel.Sha256)
            notes.Add($"kernel images differ ({nameA} sha256 {a.Kernel.Sha256[..Math.Min(12, a.Kernel.Sha256.Length)]}, {nameB} {b.Kernel.Sha256[..Math.Min(12, b.Kernel.Sha256.Length)]})");
        return notes;
    }

    /// <summary>The note when one side's cycles come from TCG and the other's do not; else null.</summary>
    public static string? EmulatorNote(bool a, bool b) =>
        a != b ? "one side's cycles come from TCG's emulation: their change is not a hardware difference" : null;

    /// <summary>Every column key of either side, in A's then B's order: both columns, or why there is nothing to pair (Missing).</summary>
    public static IEnumerable<(string Label, T? A, T? B, string? Missing)> Pairs<T>(IReadOnlyList<T> a, IReadOnlyList<T> b, string nameA, string nameB)
        where T : BenchColumnResult
    {
        foreach (var key in a.Select(c => c.Key).Concat(b.Select(c => c.Key)).Distinct().ToList())
        {
            var ca = a.FirstOrDefault(c => c.Key == key);
            var cb = b.FirstOrDefault(c => c.Key == key);
            var label = (ca ?? cb)!.Label;
            string? why = ca is null ? $"not in {nameA}" : cb is null ? $"not in {nameB}"
                : ca.Unavailable is not null ? $"unavailable in {nameA}" : cb.Unavailable is not null ? $"unavailable in {nameB}" : null;
            yield return (label, ca, cb, why);
        }
    }

    /// <summary>Welch's test on each side's per-boot values, or null when a side has none.</summary>
    public static WelchResult? Welch(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        a.Count > 0 && b.Count > 0 ? Stats.Welch.Test(Summary.Of(a), Summary.Of(b)) : null;

    /// <summary>Cycles: thousands grouped from 100 up, else up to two decimals.</summary>
    public static string Number(double? v) => v is { } x ? x.ToString(x >= 100 ? "#,##0" : "0.##", Inv) : "n/a";

    public static string ChangeCell(double? percent) => percent is { } c ? Change.Format(c) : "n/a";

    /// <summary>The Welch column: why a row is missing, or the test's verdict and t, or why it cannot be tested.</summary>
    public static string WelchCell(string? missing, WelchResult? welch) =>
        missing ?? (welch is null ? "n/a" : welch.Testable
            ? (welch.Significant ? "significant" : "not significant") + $" (t={welch.T.ToString("0.0", Inv)})"
            : $"n/a: {welch.NotTestable}");
}
