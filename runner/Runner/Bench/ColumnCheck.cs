using Runner.Host;

namespace Runner.Bench;

/// <summary>Whether the host is in the state a column needs, can be put there, or why not.</summary>
public abstract record Readiness
{
    public sealed record Ready(VirtState State) : Readiness;
    public sealed record NeedsReload(ReloadPlan Plan, VirtState State) : Readiness;
    public sealed record Unavailable(string Reason) : Readiness;
}

/// <summary>
/// Checks a column's settings against the host as it is now (module parameters in sysfs,
/// the guest's x2APIC, the CPU's features). Nothing is assumed: a host that is not in the
/// wanted state gives no numbers for that column, only the reason and the fix.
/// </summary>
public static class ColumnCheck
{
    public const string ReloadHint = "rerun with --reload-kvm (root, no other VMs) or";

    /// <param name="caps">A fresh file probe (sysfs, cpuinfo, /dev/kvm) of the host.</param>
    /// <param name="reloadAllowed">--reload-kvm was given.</param>
    /// <param name="reloadRefusal">Why a reload may not happen now (not root, other VMs), or null.</param>
    /// <param name="diagnostic">--keep-pit: the run exists to watch KVM's inhibit trace, and its columns never show figures,
    /// so a forced AVIC (force_avic on a CPU without it) may boot.</param>
    public static Readiness Evaluate(IpiColumn column, HostCaps caps, bool reloadAllowed, Func<string?> reloadRefusal, bool diagnostic = false)
    {
        if (!caps.Kvm.Available)
            return new Readiness.Unavailable($"KVM is unusable: {caps.Kvm.Detail}");
        if (column.Want.Contradiction is { } contradiction)
            return new Readiness.Unavailable(contradiction);
        if (column.Apic == ApicMode.X2Apic && !caps.KvmX2Apic.Available)
            return new Readiness.Unavailable($"the guest gets no x2APIC: {caps.KvmX2Apic.Detail}");
        if (column.Apic == ApicMode.X2Apic && column.Ipiv && caps.Backend == KvmModules.Amd && !caps.Cpu.Has("x2avic"))
            return new Readiness.Unavailable(
                "AVIC accelerates IPIs of an x2APIC guest only with x2AVIC (AMD Zen 4 or later); this CPU has no x2avic flag, so KVM inhibits AVIC for x2APIC guests");

        var state = VirtState.Read(caps.Modules);
        // kvm_amd with force_avic on a CPU without AVIC believes in hardware that is not there:
        // sysfs then says "AVIC on", and no figure may carry that label.
        if (!diagnostic && column.Want.EffectiveApicv == Want.On && caps.Backend == KvmModules.Amd && state.Apicv
            && InterruptVirtualization.Avic(caps.Modules, caps.Cpu) is { Available: false } avic)
            return new Readiness.Unavailable(avic.Detail);
        var plan = KvmReloadPlanner.Plan(caps.Modules, caps.Cpu, column.Want);
        if (plan.NothingToDo)
            return new Readiness.Ready(state);
        if (plan.Impossible is { } impossible)
            return new Readiness.Unavailable(impossible);

        var reload = plan.Plan!;
        var wanted = KvmReloadPlanner.Describe(column.Want);
        if (!reloadAllowed)
            return new Readiness.Unavailable($"{Params(reload)} (wanted {wanted}): {ReloadHint} `{reload.ShellLine}`");
        if (reloadRefusal() is { } refusal)
            return new Readiness.Unavailable($"{Params(reload)} (wanted {wanted}): {refusal}; or by hand: `{reload.ShellLine}`");
        return new Readiness.NeedsReload(reload, state);
    }

    /// <summary>"kvm_intel enable_ipiv=N": the current values of the parameters the plan would change.</summary>
    static string Params(ReloadPlan plan) =>
        $"{plan.Module} {string.Join(" ", plan.Original.Select(kv => $"{kv.Key}={kv.Value}"))}";
}
