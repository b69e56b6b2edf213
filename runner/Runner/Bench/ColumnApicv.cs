using Runner.Counters;
using Runner.Host;

namespace Runner.Bench;

/// <summary>
/// What the runs of one column saw of APICv/AVIC inside the VM (the trace of
/// kvm:kvm_apicv_inhibit_changed around each timed batch), against what the column's label
/// claims. A column whose label was false during any batch gets no numbers: a "w/ IPIv"
/// column timed with AVIC inhibited, or a "APICv off" column timed with it active.
/// </summary>
public static class ColumnApicv
{
    /// <param name="Detail">For the column line: the state seen, or why it was not seen.</param>
    /// <param name="Contradiction">Why the label was false in some run; null when it held or could not be checked.</param>
    public sealed record Judgement(string Detail, string? Contradiction, bool Verified);

    public static Judgement Judge(IpiColumn column, IReadOnlyList<IpiRun> runs) =>
        Judge(column, runs.Where(r => r.Used || r.Apicv is not null).Select(r => (r.Index, r.Apicv)).ToList());

    /// <summary>The same from each boot's index and observation (null: none taken).</summary>
    public static Judgement Judge(IpiColumn column, IReadOnlyList<(int Index, ApicvObservation? Apicv)> boots)
    {
        var observed = boots.Select(b => (b.Index, o: b.Apicv)).ToList();
        if (observed.Count == 0)
            return new Judgement("unverified: no run finished", null, false);
        var unverified = observed.Where(x => x.o is null || x.o.State == ApicvInVm.Unverified).ToList();
        var active = observed.Where(x => x.o?.State == ApicvInVm.Active).ToList();
        var inhibited = observed.Where(x => x.o?.State == ApicvInVm.Inhibited).ToList();
        string Runs(IEnumerable<(int Index, ApicvObservation? o)> xs) => "run " + string.Join(", ", xs.Select(x => x.Index));
        var reasons = inhibited.SelectMany(x => x.o!.Inhibits).Distinct().ToList();
        string firstWhy = unverified.Select(x => x.o?.Detail).FirstOrDefault(d => d is not null) ?? "unverified: no trace was taken";

        switch (column.Want.EffectiveApicv)
        {
            case Want.On:
                if (inhibited.Count > 0)
                    return new Judgement($"inhibited: {string.Join(", ", reasons)} ({Runs(inhibited)}): {inhibited[0].o!.Detail}",
                        $"inhibited: {string.Join(", ", reasons)} during the timed batch ({Runs(inhibited)}; kvm:kvm_apicv_inhibit_changed)", true);
                if (unverified.Count > 0)
                    return new Judgement($"{firstWhy} ({Runs(unverified)})", null, false);
                return new Judgement($"APICv/AVIC active in the VM through every timed batch ({active.Count} runs, inhibit mask 0)", null, true);
            case Want.Off:
                if (active.Count > 0)
                    return new Judgement($"APICv/AVIC active in the VM ({Runs(active)}) though the column is without it",
                        $"APICv/AVIC was active in the VM during the timed batch ({Runs(active)}), though the column is without it", true);
                if (unverified.Count > 0)
                    return new Judgement($"{firstWhy} ({Runs(unverified)})", null, false);
                return new Judgement($"APICv/AVIC off in the VM through every timed batch: {string.Join(", ", reasons)}", null, true);
            default:
                if (unverified.Count == observed.Count)
                    return new Judgement(firstWhy, null, false);
                var parts = new List<string>();
                if (active.Count > 0) parts.Add($"active in {active.Count} run(s)");
                if (inhibited.Count > 0) parts.Add($"off or inhibited in {inhibited.Count} run(s): {string.Join(", ", reasons)}");
                if (unverified.Count > 0) parts.Add($"{firstWhy} ({Runs(unverified)})");
                return new Judgement(string.Join("; ", parts), null, unverified.Count == 0);
        }
    }
}
