using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Runner.Qemu;

/// <summary>
/// KVM's statistics for one VM at one moment, as QMP `query-stats` reports them (QEMU 7.1+):
/// the per-vCPU counters summed over all vCPUs (exits, halt_exits, irq_exits, io_exits,
/// insn_emulation, ... whatever this host's KVM exports, kept by name) and the per-VM
/// ones. Only integer statistics are kept; booleans (guest_mode) and histograms are not
/// counters. When the counters could not be read, <see cref="Unavailable"/> says why and
/// the dictionaries are empty: a missing figure must never read as zero.
/// </summary>
public sealed record KvmCounters
{
    public IReadOnlyDictionary<string, long> Vcpu { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> Vm { get; init; } = new Dictionary<string, long>();
    /// <summary>How many vCPUs the vcpu counters were summed over.</summary>
    public int VcpuCount { get; init; }
    /// <summary>Counter names whose schema says they are not cumulative (instant values, peaks): no delta is taken of them.</summary>
    public IReadOnlyList<string> NotCumulative { get; init; } = [];
    /// <summary>Null when the counters were read; else "unavailable: why".</summary>
    public string? Unavailable { get; init; }

    [JsonIgnore]
    public bool IsAvailable => Unavailable is null;

    public const string NoQueryStats = "unavailable: QEMU < 7.1 has no query-stats";
    public const string VmExited = "unavailable: VM exited before the counters could be read";

    public static KvmCounters Missing(string why) =>
        new() { Unavailable = why.StartsWith("unavailable: ", StringComparison.Ordinal) ? why : "unavailable: " + why };

    /// <summary>The vcpu counter by name, or null when absent/unavailable.</summary>
    public long? VcpuValue(string name) => Vcpu.TryGetValue(name, out var v) ? v : null;

    /// <summary>
    /// Builds a snapshot from the "return" values of query-stats for target vcpu and vm.
    /// An empty vcpu answer means QEMU has no KVM statistics for this VM (it runs under TCG).
    /// </summary>
    public static KvmCounters FromQueryStats(JsonNode? vcpuReturn, JsonNode? vmReturn, IReadOnlySet<string>? notCumulative = null)
    {
        var vcpus = vcpuReturn as JsonArray ?? throw new FormatException("query-stats (vcpu) did not return a list");
        if (vcpus.Count == 0)
            return Missing("QEMU reports no KVM statistics for this VM (it does not run under KVM)");
        var vcpu = new SortedDictionary<string, long>(StringComparer.Ordinal);
        int count = 0;
        foreach (var result in vcpus)
        {
            bool any = false;
            foreach (var (name, value) in KvmStats(result))
            {
                vcpu[name] = vcpu.TryGetValue(name, out var sum) ? sum + value : value;
                any = true;
            }
            if (any) count++;
        }
        var vm = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (vmReturn is JsonArray vms)
            foreach (var result in vms)
                foreach (var (name, value) in KvmStats(result))
                    vm[name] = vm.TryGetValue(name, out var sum) ? sum + value : value;
        return new KvmCounters
        {
            Vcpu = vcpu,
            Vm = vm,
            VcpuCount = count,
            NotCumulative = notCumulative is null ? [] : notCumulative.Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>One StatsResult ({"provider", "qom-path"?, "stats": [{"name", "value"}]}): its integer KVM stats.</summary>
    static IEnumerable<(string Name, long Value)> KvmStats(JsonNode? result)
    {
        if (result is not JsonObject obj || obj["provider"]?.GetValue<string>() != "kvm" || obj["stats"] is not JsonArray stats)
            yield break;
        foreach (var s in stats)
        {
            if (s?["name"] is not JsonValue n || s["value"] is not JsonValue v) continue;
            if (v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<long>(out var value)) continue;
            yield return (n.GetValue<string>(), value);
        }
    }

    /// <summary>The names query-stats-schemas marks as anything but "cumulative" (instant, peak, ...).</summary>
    public static IReadOnlySet<string> NonCumulativeFromSchemas(JsonNode? schemasReturn)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (schemasReturn is not JsonArray providers) return names;
        foreach (var p in providers)
        {
            if (p?["stats"] is not JsonArray stats) continue;
            foreach (var s in stats)
                if (s?["name"]?.GetValue<string>() is { } name && s["type"]?.GetValue<string>() is { } type && type != "cumulative")
                    names.Add(name);
        }
        return names;
    }

    /// <summary>
    /// end − begin for every cumulative counter present in both. Unavailable when either
    /// side is (with that side's reason).
    /// </summary>
    public static KvmCounters Delta(KvmCounters begin, KvmCounters end)
    {
        if (!begin.IsAvailable) return Missing($"no counters at the start ({begin.Unavailable})");
        if (!end.IsAvailable) return Missing($"no counters at the end ({end.Unavailable})");
        var skip = new HashSet<string>(begin.NotCumulative.Concat(end.NotCumulative), StringComparer.Ordinal);
        return new KvmCounters
        {
            Vcpu = Diff(begin.Vcpu, end.Vcpu, skip),
            Vm = Diff(begin.Vm, end.Vm, skip),
            VcpuCount = end.VcpuCount,
        };
    }

    static SortedDictionary<string, long> Diff(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b, HashSet<string> skip)
    {
        var d = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, after) in b)
            if (!skip.Contains(name) && a.TryGetValue(name, out var before))
                d[name] = after - before;
        return d;
    }
}
