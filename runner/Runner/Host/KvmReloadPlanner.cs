namespace Runner.Host;

/// <summary>
/// Reloading the vendor KVM module with other parameters: which module, which parameters
/// change, the commands, and how to put the original values back. Pure data; running it
/// is <see cref="KvmReloader"/>'s job.
/// </summary>
public sealed record ReloadPlan(string Module, IReadOnlyDictionary<string, string> Set, IReadOnlyDictionary<string, string> Original)
{
    public IReadOnlyList<IReadOnlyList<string>> Commands => CommandsFor(Set);

    public IReadOnlyList<IReadOnlyList<string>> RestoreCommands => CommandsFor(Original);

    public IReadOnlyList<IReadOnlyList<string>> CommandsFor(IReadOnlyDictionary<string, string> parameters) =>
    [
        ["modprobe", "-r", Module],
        ["modprobe", Module, .. parameters.Select(kv => $"{kv.Key}={kv.Value}")],
    ];

    /// <summary>The commands as one line a person can run.</summary>
    public string ShellLine => string.Join(" && ", Commands.Select(c => string.Join(' ', c)));
}

/// <summary>A plan, nothing to do (the host is already as wanted), or why no module parameter gets there.</summary>
public sealed record PlanResult(ReloadPlan? Plan, string? Impossible)
{
    public bool NothingToDo => Plan is null && Impossible is null;
}

public static class KvmReloadPlanner
{
    public static PlanResult Plan(KvmModules modules, CpuInfo cpu, VirtWant want)
    {
        if (want.Contradiction is { } c)
            return new PlanResult(null, c);
        var state = VirtState.Read(modules);
        if (state.Satisfies(want))
            return new PlanResult(null, null);
        return state.Backend switch
        {
            KvmModules.Intel => PlanIntel(cpu, want, state),
            KvmModules.Amd => PlanAmd(cpu, want, state),
            _ => new PlanResult(null, WrongBackend(state.Backend, want)),
        };
    }

    static string WrongBackend(string backend, VirtWant want)
    {
        var needs = want.Ipiv
            ? "needs kvm_intel with enable_ipiv=Y (Intel Sapphire Rapids or later) or kvm_amd with avic=1"
            : "needs kvm_intel with enable_apicv=Y or kvm_amd with avic=1";
        var have = backend == KvmModules.None ? "no KVM module is loaded" : $"this host's KVM module is {backend}";
        return $"{needs}; {have}";
    }

    static PlanResult PlanIntel(CpuInfo cpu, VirtWant want, VirtState state)
    {
        const string module = KvmModules.Intel;
        var current = state.Parameters;
        bool apicvNow = KvmModules.IsOn(current.GetValueOrDefault("enable_apicv"));
        bool ipivNow = KvmModules.IsOn(current.GetValueOrDefault("enable_ipiv"));
        if (!current.ContainsKey("enable_apicv"))
            return new PlanResult(null, "kvm_intel has no enable_apicv parameter (parameters unreadable?): cannot set APICv");

        bool apicv = want.EffectiveApicv switch { Want.On => true, Want.Off => false, _ => apicvNow };
        // With APICv off KVM ignores enable_ipiv; leave it as it is then.
        bool ipiv = want.Ipiv || (apicv ? false : ipivNow);

        if (apicv && !apicvNow && cpu.ListsVmxFeatures && !HasAll(cpu, "apicv", "vid", "posted_intr"))
            return new PlanResult(null, "this CPU has no APIC virtualization (apicv/vid/posted_intr missing from /proc/cpuinfo's vmx flags): no kvm_intel parameter turns APICv on");
        if (want.Ipiv)
        {
            if (!current.ContainsKey("enable_ipiv"))
                return new PlanResult(null, "kvm_intel has no enable_ipiv parameter (IPIv arrived in Linux 5.19): update the host kernel");
            if (cpu.ListsVmxFeatures && !cpu.VmxFlags.Contains("ipi_virt"))
                return new PlanResult(null, "this CPU has no IPI virtualization (no ipi_virt among /proc/cpuinfo's vmx flags; it needs Sapphire Rapids or later): no kvm_intel parameter turns IPIv on");
        }

        var set = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var original = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Change(string name, bool wanted, bool now)
        {
            if (wanted == now) return;
            set[name] = wanted ? "1" : "0";
            original[name] = current.GetValueOrDefault(name, now ? "1" : "0");
        }
        Change("enable_apicv", apicv, apicvNow);
        if (current.ContainsKey("enable_ipiv"))
            Change("enable_ipiv", ipiv, ipivNow);
        return set.Count == 0
            ? new PlanResult(null, $"no kvm_intel parameter change reaches {Describe(want)} from {state.Detail}")
            : new PlanResult(new ReloadPlan(module, set, original), null);
    }

    static PlanResult PlanAmd(CpuInfo cpu, VirtWant want, VirtState state)
    {
        const string module = KvmModules.Amd;
        var current = state.Parameters;
        bool avicNow = KvmModules.IsOn(current.GetValueOrDefault("avic"));
        if (!current.ContainsKey("avic"))
            return new PlanResult(null, "kvm_amd has no avic parameter (parameters unreadable?): cannot set AVIC");
        bool hasIpiv = current.ContainsKey("enable_ipiv");
        bool avic;
        if (want.Ipiv)
            avic = true;
        else if (want.Apicv == Want.On && hasIpiv)
            avic = true;   // newer kvm_amd: AVIC on with its IPI acceleration off (enable_ipiv=0)
        else if (want.Apicv == Want.On)
            return new PlanResult(null, "on this kvm_amd APIC virtualization and IPI acceleration are one feature (AVIC, no enable_ipiv parameter): \"APICv on, IPIv off\" has no setting there; use --apicv only with IPIv on, or drop it");
        else
            avic = false;
        if (avic && !cpu.Has("avic"))
            return new PlanResult(null, "AVIC requested, not active: this CPU has no AVIC (no avic flag in /proc/cpuinfo), and kvm_amd's force_avic=1 on such a CPU only pretends (KVM warns \"AVIC is not supported in CPUID but force enabled\"; an SMP guest then fails to start its second CPU)");
        var set = new SortedDictionary<string, string>();
        if (avic != avicNow) set["avic"] = avic ? "1" : "0";
        if (hasIpiv && avic && KvmModules.IsOn(current["enable_ipiv"]) != want.Ipiv) set["enable_ipiv"] = want.Ipiv ? "1" : "0";
        if (set.Count == 0)
            return new PlanResult(null, $"no kvm_amd parameter change reaches {Describe(want)} from {state.Detail}");
        return new PlanResult(new ReloadPlan(module, set,
            new SortedDictionary<string, string>(set.Keys.ToDictionary(k => k, k => current[k]))), null);
    }

    static bool HasAll(CpuInfo cpu, params string[] flags) => flags.All(cpu.VmxFlags.Contains);

    public static string Describe(VirtWant want) =>
        $"IPIv {(want.Ipiv ? "on" : "off")}" + (want.EffectiveApicv == Want.Any ? "" : $", APICv {want.EffectiveApicv.ToText()}");
}
