using Runner.Qemu;

namespace Runner.Execution;

/// <summary>
/// The exits a `#kt sync` handshake itself costs, measured in the same boot, and a measured
/// region with that cost taken off. A region between two sync points holds the release of
/// the first (the guest reads the byte), the second sync line (one exit per character) and
/// the wait for the runner's reading: none of that is the batch's. The guest times an empty
/// region the same way right before the measured one (`baseline-begin` .. `baseline-end`),
/// and its counters are subtracted counter by counter.
/// </summary>
public sealed record HandshakeBaseline(KvmCounters Raw, KvmCounters Baseline, KvmCounters Net)
{
    /// <summary>The measured region between two tags, less the baseline pair's; the reasons when either is missing.</summary>
    public static HandshakeBaseline Between(IReadOnlyList<KvmReading>? readings, string beginTag, string endTag)
    {
        var raw = Delta(readings, beginTag, endTag);
        var baseline = Delta(readings, SyncTags.BaselineBegin, SyncTags.BaselineEnd);
        var net = !raw.IsAvailable ? raw
            : !baseline.IsAvailable ? KvmCounters.Missing($"no handshake baseline to subtract ({baseline.Unavailable})")
            : Subtract(raw, baseline);
        return new HandshakeBaseline(raw, baseline, net);
    }

    /// <summary>
    /// The counters at `#kt end` without the final handshake: the `handshake` reading
    /// includes one handshake (its own line and wait), and `end` − `handshake` is one more,
    /// so the test's own count is handshake − (end − handshake).
    /// </summary>
    public static HandshakeBaseline AtEnd(IReadOnlyList<KvmReading>? readings)
    {
        var end = KvmReading.Find(readings, SyncSession.EndTag) ?? KvmCounters.Missing("no reading at `#kt end`");
        var handshake = KvmReading.Find(readings, SyncTags.Handshake);
        if (!end.IsAvailable || handshake is null || !handshake.IsAvailable)
            return new HandshakeBaseline(end, KvmCounters.Missing(handshake is null
                ? "the guest printed no `#kt sync handshake` before `end` (kernel older than the runner?)"
                : $"no counters at `#kt sync handshake` ({handshake.Unavailable})"), end.IsAvailable
                    ? KvmCounters.Missing("no handshake baseline to subtract") : end);
        var one = KvmCounters.Delta(handshake, end);
        return new HandshakeBaseline(end, one, Subtract(handshake, one));
    }

    static KvmCounters Delta(IReadOnlyList<KvmReading>? readings, string beginTag, string endTag)
    {
        var begin = KvmReading.Find(readings, beginTag);
        var end = KvmReading.Find(readings, endTag);
        if (begin is null) return KvmCounters.Missing($"the guest never reached `#kt sync {beginTag}`");
        if (end is null) return KvmCounters.Missing($"the guest never reached `#kt sync {endTag}`");
        return KvmCounters.Delta(begin, end);
    }

    static KvmCounters Subtract(KvmCounters a, KvmCounters b) => a with
    {
        Vcpu = Minus(a.Vcpu, b.Vcpu),
        Vm = Minus(a.Vm, b.Vm),
    };

    static SortedDictionary<string, long> Minus(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b)
    {
        var d = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in a)
            if (b.TryGetValue(name, out var less)) d[name] = value - less;
        return d;
    }
}
