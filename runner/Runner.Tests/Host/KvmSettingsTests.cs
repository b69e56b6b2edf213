using Runner.Bench;
using Runner.Host;
using Runner.Tests.Support;

namespace Runner.Tests.Host;

/// <summary>
/// Column settings checked against the recorded host trees: this kvm_pvm machine, Intel with
/// and without IPIv, AMD with AVIC. Every unavailable column must say why and how to fix it.
/// </summary>
public class KvmSettingsTests
{
    static HostCaps Caps(string tree) => HostProbe.ProbeFiles(Fixtures.Tree(tree));

    static readonly IpiColumn XapicWithout = new(ApicMode.XApic, false, Want.Any);
    static readonly IpiColumn XapicWith = new(ApicMode.XApic, true, Want.Any);
    static readonly IpiColumn X2apicWithout = new(ApicMode.X2Apic, false, Want.Any);
    static readonly IpiColumn X2apicWith = new(ApicMode.X2Apic, true, Want.Any);

    static Readiness Check(string tree, IpiColumn c, bool reload = false, string? refusal = null) =>
        ColumnCheck.Evaluate(c, Caps(tree), reload, () => refusal);

    [Fact]
    public void KvmPvmHostRunsWithoutIpivAndExplainsWhyNotWith()
    {
        var without = Assert.IsType<Readiness.Ready>(Check("kvm-pvm-host", XapicWithout));
        Assert.Equal("kvm_pvm: no APICv, IPIv or AVIC (this backend has no hardware interrupt virtualization)", without.State.Detail);
        Assert.IsType<Readiness.Ready>(Check("kvm-pvm-host", X2apicWithout));

        var with = Assert.IsType<Readiness.Unavailable>(Check("kvm-pvm-host", XapicWith, reload: true));
        Assert.Equal("needs kvm_intel with enable_ipiv=Y (Intel Sapphire Rapids or later) or kvm_amd with avic=1; this host's KVM module is kvm_pvm", with.Reason);
    }

    [Fact]
    public void KvmPvmHostCannotProvideApicv()
    {
        var r = Assert.IsType<Readiness.Unavailable>(Check("kvm-pvm-host", XapicWithout with { Apicv = Want.On }));
        Assert.Equal("needs kvm_intel with enable_apicv=Y or kvm_amd with avic=1; this host's KVM module is kvm_pvm", r.Reason);
        // APICv off is what it has.
        Assert.IsType<Readiness.Ready>(Check("kvm-pvm-host", XapicWithout with { Apicv = Want.Off }));
    }

    [Fact]
    public void HiddenX2ApicMakesX2ApicColumnsUnavailable()
    {
        using var tmp = new TempDir();
        CopyTree(Fixtures.Tree("kvm-pvm-host"), tmp.Path);
        File.WriteAllText(Path.Combine(tmp.Path, "sys/module/kvm_pvm/parameters/no_x2apic"), "Y\n");

        var r = Assert.IsType<Readiness.Unavailable>(ColumnCheck.Evaluate(X2apicWithout, HostProbe.ProbeFiles(tmp.Path), false, () => null));
        Assert.StartsWith("the guest gets no x2APIC: kvm_pvm loaded with no_x2apic=Y", r.Reason);
        Assert.IsType<Readiness.Ready>(ColumnCheck.Evaluate(XapicWithout, HostProbe.ProbeFiles(tmp.Path), false, () => null));
    }

    [Fact]
    public void IntelWithIpivRunsWithAndNeedsAReloadForWithout()
    {
        var with = Assert.IsType<Readiness.Ready>(Check("intel-apicv-ipiv", X2apicWith));
        Assert.Equal("kvm_intel enable_apicv=Y enable_ipiv=Y: APICv on, IPIv on", with.State.Detail);

        var without = Assert.IsType<Readiness.Unavailable>(Check("intel-apicv-ipiv", XapicWithout));
        Assert.Equal("kvm_intel enable_ipiv=Y (wanted IPIv off): rerun with --reload-kvm (root, no other VMs) or " +
                     "`modprobe -r kvm_intel && modprobe kvm_intel enable_ipiv=0`", without.Reason);
    }

    [Fact]
    public void IntelWithIpivPlansTheReloadWhenAllowed()
    {
        var r = Assert.IsType<Readiness.NeedsReload>(Check("intel-apicv-ipiv", XapicWithout, reload: true));

        Assert.Equal("kvm_intel", r.Plan.Module);
        Assert.Equal(new Dictionary<string, string> { ["enable_ipiv"] = "0" }, r.Plan.Set);
        Assert.Equal(new Dictionary<string, string> { ["enable_ipiv"] = "Y" }, r.Plan.Original);
    }

    [Fact]
    public void AReloadRefusalBecomesTheReasonWithTheManualFix()
    {
        var r = Assert.IsType<Readiness.Unavailable>(Check("intel-apicv-ipiv", XapicWithout, reload: true,
            refusal: KvmHolders.RefuseReload(isRoot: false, [])));

        Assert.Equal("kvm_intel enable_ipiv=Y (wanted IPIv off): --reload-kvm needs root (it runs modprobe): rerun as root, " +
                     "or set the module parameters yourself; or by hand: `modprobe -r kvm_intel && modprobe kvm_intel enable_ipiv=0`", r.Reason);
    }

    [Fact]
    public void IntelWithoutIpivHardwareCannotBeReloadedIntoIpiv()
    {
        var without = Assert.IsType<Readiness.Ready>(Check("intel-apicv-no-ipiv", XapicWithout));
        Assert.Equal("kvm_intel enable_apicv=Y enable_ipiv=N: APICv on, IPIv off", without.State.Detail);

        // Ice Lake: no ipi_virt among the vmx flags, so no parameter helps, reload or not.
        var with = Assert.IsType<Readiness.Unavailable>(Check("intel-apicv-no-ipiv", XapicWith, reload: true));
        Assert.StartsWith("this CPU has no IPI virtualization (no ipi_virt among /proc/cpuinfo's vmx flags", with.Reason);
    }

    [Fact]
    public void IntelWithoutIpivCanTurnApicvOffForANoApicvColumn()
    {
        var r = Assert.IsType<Readiness.NeedsReload>(Check("intel-apicv-no-ipiv", XapicWithout with { Apicv = Want.Off }, reload: true));

        Assert.Equal(new Dictionary<string, string> { ["enable_apicv"] = "0" }, r.Plan.Set);
        Assert.Equal([["modprobe", "-r", "kvm_intel"], ["modprobe", "kvm_intel", "enable_apicv=0"]], r.Plan.Commands);
        Assert.Equal([["modprobe", "-r", "kvm_intel"], ["modprobe", "kvm_intel", "enable_apicv=Y"]], r.Plan.RestoreCommands);
    }

    [Fact]
    public void AmdAvicStandsForIpivInXapicMode()
    {
        var with = Assert.IsType<Readiness.Ready>(Check("amd-avic", XapicWith));
        Assert.Equal("kvm_amd avic=1 force_avic=N: AVIC on (AMD's APIC virtualization and IPI acceleration in one)", with.State.Detail);

        var without = Assert.IsType<Readiness.NeedsReload>(Check("amd-avic", XapicWithout, reload: true));
        Assert.Equal([["modprobe", "-r", "kvm_amd"], ["modprobe", "kvm_amd", "avic=0"]], without.Plan.Commands);
        Assert.Equal([["modprobe", "-r", "kvm_amd"], ["modprobe", "kvm_amd", "avic=1"]], without.Plan.RestoreCommands);
    }

    [Fact]
    public void AmdWithoutX2AvicCannotAccelerateX2ApicIpis()
    {
        var r = Assert.IsType<Readiness.Unavailable>(Check("amd-avic", X2apicWith, reload: true));
        Assert.StartsWith("AVIC accelerates IPIs of an x2APIC guest only with x2AVIC", r.Reason);
    }

    [Fact]
    public void AmdHasNoApicvWithoutIpiv()
    {
        var r = Assert.IsType<Readiness.Unavailable>(Check("amd-avic", XapicWithout with { Apicv = Want.On }, reload: true));
        Assert.StartsWith("on this kvm_amd APIC virtualization and IPI acceleration are one feature (AVIC, no enable_ipiv parameter)", r.Reason);
    }

    [Fact]
    public void ApicvOffWithIpivIsContradictory()
    {
        var want = new VirtWant(Ipiv: true, Apicv: Want.Off);
        Assert.NotNull(want.Contradiction);
        var r = Assert.IsType<Readiness.Unavailable>(Check("intel-apicv-ipiv", XapicWith with { Apicv = Want.Off }));
        Assert.StartsWith("APICv off with IPIv on is contradictory", r.Reason);
        Assert.Equal(want.Contradiction, KvmReloadPlanner.Plan(Caps("intel-apicv-ipiv").Modules, Caps("intel-apicv-ipiv").Cpu, want).Impossible);
    }

    [Fact]
    public void IntelIpivWithApicvOffPlansBothParameters()
    {
        using var tmp = new TempDir();
        CopyTree(Fixtures.Tree("intel-apicv-ipiv"), tmp.Path);
        File.WriteAllText(Path.Combine(tmp.Path, "sys/module/kvm_intel/parameters/enable_apicv"), "N\n");
        File.WriteAllText(Path.Combine(tmp.Path, "sys/module/kvm_intel/parameters/enable_ipiv"), "N\n");
        var caps = HostProbe.ProbeFiles(tmp.Path);

        var plan = KvmReloadPlanner.Plan(caps.Modules, caps.Cpu, new VirtWant(true, Want.Any));

        Assert.Equal(new Dictionary<string, string> { ["enable_apicv"] = "1", ["enable_ipiv"] = "1" }, plan.Plan!.Set);
        Assert.Equal("modprobe -r kvm_intel && modprobe kvm_intel enable_apicv=1 enable_ipiv=1", plan.Plan.ShellLine);
        Assert.Equal(new Dictionary<string, string> { ["enable_apicv"] = "N", ["enable_ipiv"] = "N" }, plan.Plan.Original);
    }

    [Fact]
    public void AHostAlreadyInTheWantedStateNeedsNoPlan()
    {
        var caps = Caps("intel-apicv-ipiv");
        Assert.True(KvmReloadPlanner.Plan(caps.Modules, caps.Cpu, new VirtWant(true, Want.Any)).NothingToDo);
    }

    [Fact]
    public void ReloadIsRefusedWhileAnotherProcessHoldsDevKvm()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(Path.Combine(tmp.Path, "proc/4242/fd"));
        File.CreateSymbolicLink(Path.Combine(tmp.Path, "proc/4242/fd/11"), "/dev/kvm");
        File.WriteAllText(Path.Combine(tmp.Path, "proc/4242/comm"), "qemu-system-x86\n");
        Directory.CreateDirectory(Path.Combine(tmp.Path, "proc/77/fd"));
        File.CreateSymbolicLink(Path.Combine(tmp.Path, "proc/77/fd/0"), "/dev/null");
        Directory.CreateDirectory(Path.Combine(tmp.Path, "proc/99/fd"));
        File.CreateSymbolicLink(Path.Combine(tmp.Path, "proc/99/fd/5"), "/dev/kvm");   // ourselves
        Directory.CreateDirectory(Path.Combine(tmp.Path, "proc/self"));

        var holders = KvmHolders.Find(tmp.Path, ownPid: 99);

        Assert.Equal([new KvmHolder(4242, "qemu-system-x86")], holders);
        Assert.Equal("--reload-kvm refused: /dev/kvm is open in pid 4242 (qemu-system-x86): reloading the KVM module would break those VMs; stop them first",
            KvmHolders.RefuseReload(isRoot: true, holders));
        Assert.Null(KvmHolders.RefuseReload(isRoot: true, []));
        Assert.StartsWith("--reload-kvm needs root", KvmHolders.RefuseReload(isRoot: false, holders));
    }

    [Fact]
    public void CpuInfoReadsTheVmxFeatureLine()
    {
        Assert.Contains("ipi_virt", Caps("intel-apicv-ipiv").Cpu.VmxFlags);
        Assert.DoesNotContain("ipi_virt", Caps("intel-apicv-no-ipiv").Cpu.VmxFlags);
        Assert.Contains("apicv", Caps("intel-apicv-no-ipiv").Cpu.VmxFlags);
        Assert.False(Caps("kvm-pvm-host").Cpu.ListsVmxFeatures);
    }

    internal static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}

/// <summary>Carrying out a reload against a copied sysfs tree, with a stand-in for modprobe that never runs the real one.</summary>
public class KvmReloaderTests
{
    sealed class FakeModprobe
    {
        public readonly List<string> Calls = [];
        public string Root = "";
        /// <summary>A CPU without the feature: KVM loads but keeps the parameter off.</summary>
        public HashSet<string> Ignored = [];
        public int FailStatus;

        public Task<(int, string)> Run(IReadOnlyList<string> argv)
        {
            Calls.Add(string.Join(' ', argv));
            Assert.Equal("modprobe", argv[0]);
            if (FailStatus != 0) return Task.FromResult((FailStatus, "modprobe: FATAL: Module kvm_intel is in use."));
            if (argv[1] != "-r")
                foreach (var kv in argv.Skip(2))
                {
                    var (name, value) = (kv[..kv.IndexOf('=')], kv[(kv.IndexOf('=') + 1)..]);
                    if (Ignored.Contains(name)) continue;
                    File.WriteAllText(Path.Combine(Root, "sys/module", argv[1], "parameters", name), (value is "1" or "Y" ? "Y" : "N") + "\n");
                }
            return Task.FromResult((0, ""));
        }
    }

    static (TempDir, FakeModprobe, KvmReloader) Setup(string tree)
    {
        var tmp = new TempDir();
        KvmSettingsTests.CopyTree(Fixtures.Tree(tree), tmp.Path);
        var fake = new FakeModprobe { Root = tmp.Path };
        return (tmp, fake, new KvmReloader(tmp.Path, fake.Run));
    }

    static string Param(TempDir t, string name) => File.ReadAllText(Path.Combine(t.Path, "sys/module/kvm_intel/parameters", name)).Trim();

    [Fact]
    public async Task ReloadsVerifiesAndRestores()
    {
        var (tmp, fake, reloader) = Setup("intel-apicv-ipiv");
        using var _ = tmp;
        var caps = HostProbe.ProbeFiles(tmp.Path);
        var plan = KvmReloadPlanner.Plan(caps.Modules, caps.Cpu, new VirtWant(false, Want.Any)).Plan!;

        Assert.Null(await reloader.ApplyAsync(plan));
        Assert.Equal("N", Param(tmp, "enable_ipiv"));
        Assert.True(reloader.Changed);
        Assert.IsType<Readiness.Ready>(ColumnCheck.Evaluate(new IpiColumn(ApicMode.XApic, false, Want.Any), HostProbe.ProbeFiles(tmp.Path), false, () => null));

        Assert.Null(await reloader.RestoreAsync());
        Assert.Equal("Y", Param(tmp, "enable_ipiv"));
        Assert.Equal(["modprobe -r kvm_intel", "modprobe kvm_intel enable_ipiv=0", "modprobe -r kvm_intel", "modprobe kvm_intel enable_ipiv=Y"], fake.Calls);
        // Restoring twice (finally block and signal handler) runs modprobe once.
        Assert.Null(await reloader.RestoreAsync());
        Assert.Equal(4, fake.Calls.Count);
    }

    [Fact]
    public async Task RestoreGoesBackToTheValuesBeforeTheFirstReload()
    {
        var (tmp, fake, reloader) = Setup("intel-apicv-ipiv");
        using var _ = tmp;
        var caps = HostProbe.ProbeFiles(tmp.Path);
        await reloader.ApplyAsync(KvmReloadPlanner.Plan(caps.Modules, caps.Cpu, new VirtWant(false, Want.Off)).Plan!);
        caps = HostProbe.ProbeFiles(tmp.Path);
        await reloader.ApplyAsync(KvmReloadPlanner.Plan(caps.Modules, caps.Cpu, new VirtWant(true, Want.Any)).Plan!);

        await reloader.RestoreAsync();

        Assert.Equal("Y", Param(tmp, "enable_apicv"));
        Assert.Equal("Y", Param(tmp, "enable_ipiv"));
        Assert.Equal("modprobe kvm_intel enable_apicv=Y", fake.Calls[^1]);
    }

    [Fact]
    public async Task AParameterTheKernelKeepsOffIsAFailureNotASuccess()
    {
        var (tmp, fake, reloader) = Setup("intel-apicv-no-ipiv");
        using var _ = tmp;
        fake.Ignored.Add("enable_ipiv");
        var plan = new ReloadPlan("kvm_intel", new Dictionary<string, string> { ["enable_ipiv"] = "1" }, new Dictionary<string, string> { ["enable_ipiv"] = "N" });

        var failed = await reloader.ApplyAsync(plan);

        Assert.Equal("kvm_intel enable_ipiv=N although 1 was asked after the reload: the CPU lacks the feature or KVM refused it (see dmesg)", failed);
    }

    [Fact]
    public async Task AFailingModprobeIsReportedWithItsMessage()
    {
        var (tmp, fake, reloader) = Setup("intel-apicv-ipiv");
        using var _ = tmp;
        fake.FailStatus = 1;
        var plan = new ReloadPlan("kvm_intel", new Dictionary<string, string> { ["enable_ipiv"] = "0" }, new Dictionary<string, string> { ["enable_ipiv"] = "Y" });

        var failed = await reloader.ApplyAsync(plan);

        Assert.Equal("`modprobe -r kvm_intel` failed with status 1: modprobe: FATAL: Module kvm_intel is in use.", failed);
        var restore = await reloader.RestoreAsync();
        Assert.StartsWith("restoring kvm_intel: `modprobe -r kvm_intel` failed with status 1", restore);
        Assert.EndsWith("restore by hand: modprobe -r kvm_intel && modprobe kvm_intel enable_ipiv=Y", restore);
    }

    [Fact]
    public async Task NothingReloadedMeansNothingToRestore()
    {
        var (tmp, fake, reloader) = Setup("intel-apicv-ipiv");
        using var _ = tmp;

        Assert.Null(await reloader.RestoreAsync());
        Assert.Empty(fake.Calls);
        Assert.False(reloader.Changed);
    }
}
