using Runner.Host;

namespace Runner.Bench;

/// <summary>
/// Puts the host into a column's state with --reload-kvm, then checks it again from sysfs:
/// the reload itself proves nothing (a CPU without the feature makes KVM turn it off again).
/// </summary>
public static class ColumnReload
{
    /// <summary>The readiness after the reload, and the line that says what was done.</summary>
    public static async Task<(Readiness Readiness, string Note)> ApplyAsync(IpiColumn column, string label, Readiness.NeedsReload needs,
        KvmReloader? reloader, Func<HostCaps> probeHost, Func<string?> reloadRefusal)
    {
        var failed = reloader is null ? "no reloader" : await reloader.ApplyAsync(needs.Plan);
        var note = failed is null
            ? $"{label}: reloaded {needs.Plan.Module} with {string.Join(" ", needs.Plan.Set.Select(kv => $"{kv.Key}={kv.Value}"))}"
            : $"{label}: reload failed: {failed}";
        Readiness readiness = failed is not null
            ? new Readiness.Unavailable($"--reload-kvm: {failed}")
            : ColumnCheck.Evaluate(column, probeHost(), reloadAllowed: false, reloadRefusal) switch
            {
                Readiness.Ready r => r,
                Readiness.Unavailable u => new Readiness.Unavailable($"after the reload: {u.Reason}"),
                _ => new Readiness.Unavailable("after the reload the host is still not in the wanted state"),
            };
        return (readiness, note);
    }

    /// <summary>Ready columns first, then those that need a reload, grouped by the parameters they set; the rest last.</summary>
    public static IReadOnlyList<T> ReadyFirst<T>(IEnumerable<(T Column, Readiness Readiness)> columns) =>
        columns
            .OrderBy(x => x.Readiness switch { Readiness.Ready => 0, Readiness.NeedsReload => 1, _ => 2 })
            .ThenBy(x => x.Readiness is Readiness.NeedsReload n ? string.Join(",", n.Plan.Set.Select(kv => $"{kv.Key}={kv.Value}")) : "", StringComparer.Ordinal)
            .Select(x => x.Column)
            .ToList();
}
