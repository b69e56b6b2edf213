using System.Globalization;
using System.Text.RegularExpressions;
using Runner.Host;

namespace Runner.Counters;

public enum ApicvInVm { Active, Inhibited, Unverified }

/// <summary>One kvm_apicv_inhibit_changed event: the reason that changed and the whole mask after it.</summary>
public sealed record ApicvChange(double Time, bool Set, int Reason, ulong Mask, IReadOnlyList<string> Names);

/// <summary>
/// Whether one VM ran with APICv/AVIC active during its timed batch, as the trace shows it:
/// the mask in force when the batch began (the last event before the begin marker) and any
/// change up to the end marker. Active needs a mask of 0 throughout; a batch with no traced
/// mask before it is unverified, never assumed active.
/// </summary>
public sealed partial record ApicvObservation
{
    public required ApicvInVm State { get; init; }
    /// <summary>The inhibit mask when the batch began; null when unknown.</summary>
    public ulong? MaskAtBegin { get; init; }
    /// <summary>Every reason in force at some point of the batch, by name.</summary>
    public IReadOnlyList<string> Inhibits { get; init; } = [];
    /// <summary>Changes traced between the markers.</summary>
    public IReadOnlyList<ApicvChange> DuringBatch { get; init; } = [];
    /// <summary>One line for people: "active (inhibit mask 0 ...)", "inhibited: PIT_REINJ", "unverified: why".</summary>
    public required string Detail { get; init; }
    /// <summary>The trace lines this came from (this QEMU's events and the runner's markers for it), as the kernel wrote them.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    public static ApicvObservation Unverified(string why) => new() { State = ApicvInVm.Unverified, Detail = $"unverified: {why}" };

    [GeneratedRegex(@"^\s*(?<comm>.*?)-(?<tid>\d+)\s+(?:\(\s*(?<tgid>\d+|-+)\)\s+)?\[\d+\]\s+\S+\s+(?<ts>\d+\.\d+):\s+(?<event>\w+):\s+(?<body>.*)$")]
    private static partial Regex TraceLine();

    [GeneratedRegex(@"^(?<op>set|cleared) reason=(?<reason>\d+), inhibits=0x(?<mask>[0-9a-fA-F]+)(?:\s+(?<names>\S+))?")]
    private static partial Regex InhibitBody();

    /// <summary>Reads a tracefs `trace` text: the events of QEMU process <paramref name="pid"/> and the runner's markers for it.</summary>
    public static ApicvObservation FromTrace(string trace, int pid, string beginTag, string endTag, string kernelRelease)
    {
        var pidText = pid.ToString(CultureInfo.InvariantCulture);
        double? begin = null, end = null;
        var changes = new List<ApicvChange>();
        var evidence = new List<string>();
        foreach (var raw in trace.Split('\n'))
        {
            if (raw.StartsWith('#')) continue;
            var m = TraceLine().Match(raw.TrimEnd('\r'));
            if (!m.Success) continue;
            double ts = double.Parse(m.Groups["ts"].Value, CultureInfo.InvariantCulture);
            var body = m.Groups["body"].Value.Trim();
            if (m.Groups["event"].Value == "tracing_mark_write")
            {
                if (body == $"ktest {pidText} {beginTag}") begin ??= ts;
                else if (body == $"ktest {pidText} {endTag}") end ??= ts;
                else continue;
                evidence.Add(raw.Trim());
                continue;
            }
            if (m.Groups["event"].Value != "kvm_apicv_inhibit_changed") continue;
            var owner = m.Groups["tgid"].Success && !m.Groups["tgid"].Value.StartsWith('-') ? m.Groups["tgid"].Value : m.Groups["tid"].Value;
            if (owner != pidText) continue;
            var b = InhibitBody().Match(body);
            if (!b.Success) continue;
            evidence.Add(raw.Trim());
            ulong mask = ulong.Parse(b.Groups["mask"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var printed = b.Groups["names"].Success ? b.Groups["names"].Value.Split('|', StringSplitOptions.RemoveEmptyEntries) : null;
            changes.Add(new ApicvChange(ts, b.Groups["op"].Value == "set", int.Parse(b.Groups["reason"].Value, CultureInfo.InvariantCulture),
                mask, ApicvInhibits.Decode(mask, printed, kernelRelease)));
        }

        if (begin is null || end is null)
            return Unverified($"no trace marker for the batch's {(begin is null ? beginTag : endTag)} (the guest never reached it, or the marker was lost)") with { Evidence = evidence };
        var before = changes.LastOrDefault(c => c.Time <= begin);
        if (before is null)
            return Unverified(changes.Count == 0
                ? $"no kvm_apicv_inhibit_changed event from QEMU pid {pid} at all: the VM's inhibit mask was never traced"
                : $"no kvm_apicv_inhibit_changed event from QEMU pid {pid} before the batch: its inhibit mask then is not known") with { Evidence = evidence };
        var during = changes.Where(c => c.Time > begin && c.Time <= end).ToList();
        var names = before.Names.Concat(during.SelectMany(c => c.Names)).Distinct().ToList();
        bool active = before.Mask == 0 && during.All(c => c.Mask == 0);
        string Hex(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);
        return new ApicvObservation
        {
            State = active ? ApicvInVm.Active : ApicvInVm.Inhibited,
            MaskAtBegin = before.Mask,
            Inhibits = names,
            DuringBatch = during,
            Evidence = evidence,
            Detail = active
                ? "active: inhibit mask 0 through the timed batch (kvm:kvm_apicv_inhibit_changed)"
                : $"inhibited: {string.Join(", ", names)} (mask {Hex(before.Mask)} at the batch's start" +
                  (during.Count > 0 ? $", {during.Count} change(s) during it: {string.Join(", ", during.Select(c => $"{(c.Set ? "set" : "cleared")} {Hex(c.Mask)}"))}" : "") + ")",
        };
    }
}
