using Runner.Host;
using Runner.Tests.Support;

namespace Runner.Tests.Host;

/// <summary>The probe against recorded sysfs/procfs trees of four kinds of host.</summary>
public class HostProbeFixtureTests
{
    [Fact]
    public void ThisKvmPvmHost()
    {
        var caps = HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host"));

        Assert.True(caps.Kvm.Available);
        Assert.Equal("kvm_pvm", caps.Backend);
        Assert.Equal(["kvm", "kvm_pvm"], caps.Modules.Loaded);
        Assert.False(caps.Apicv.Available);
        Assert.Equal("host KVM module is kvm_pvm, not kvm_intel; APICv needs kvm_intel with enable_apicv=Y on a CPU with APIC virtualization", caps.Apicv.Detail);
        Assert.False(caps.Ipiv.Available);
        Assert.Equal("host KVM module is kvm_pvm, not kvm_intel; IPIv needs kvm_intel with enable_ipiv=Y on a CPU with IPI virtualization", caps.Ipiv.Detail);
        Assert.False(caps.Avic.Available);
        Assert.StartsWith("host KVM module is kvm_pvm, not kvm_amd", caps.Avic.Detail);
        Assert.True(caps.KvmX2Apic.Available);
        Assert.Equal("AuthenticAMD", caps.Cpu.VendorId);
        Assert.Equal("amd", caps.Cpu.Vendor);
        Assert.False(caps.Cpu.Has("vmx"));
        Assert.False(caps.Cpu.Has("svm"));
        Assert.True(caps.Cpu.Has("x2apic"));
        Assert.True(caps.Cpu.Has("tsc_deadline_timer"));
        Assert.True(caps.Cpu.Has("constant_tsc"));
    }

    [Fact]
    public void HandWrittenIntelWithApicvAndIpiv()
    {
        var caps = HostProbe.ProbeFiles(Fixtures.Tree("intel-apicv-ipiv"));

        Assert.Equal("kvm_intel", caps.Backend);
        Assert.True(caps.Apicv.Available);
        Assert.Equal("kvm_intel enable_apicv=Y", caps.Apicv.Detail);
        Assert.True(caps.Ipiv.Available);
        Assert.Equal("kvm_intel enable_ipiv=Y, enable_apicv=Y", caps.Ipiv.Detail);
        Assert.False(caps.Avic.Available);
        Assert.StartsWith("host KVM module is kvm_intel, not kvm_amd", caps.Avic.Detail);
        Assert.Equal("intel", caps.Cpu.Vendor);
        Assert.True(caps.Cpu.Has("vmx"));
    }

    [Fact]
    public void HandWrittenIntelWithoutIpiv()
    {
        var caps = HostProbe.ProbeFiles(Fixtures.Tree("intel-apicv-no-ipiv"));

        Assert.True(caps.Apicv.Available);
        Assert.False(caps.Ipiv.Available);
        Assert.StartsWith("kvm_intel loaded with enable_ipiv=N", caps.Ipiv.Detail);
        Assert.Contains("IPI virtualization", caps.Ipiv.Detail);
    }

    [Fact]
    public void HandWrittenAmdWithAvic()
    {
        var caps = HostProbe.ProbeFiles(Fixtures.Tree("amd-avic"));

        Assert.Equal("kvm_amd", caps.Backend);
        Assert.True(caps.Avic.Available);
        Assert.Equal("kvm_amd avic=1", caps.Avic.Detail);
        Assert.False(caps.Apicv.Available);
        Assert.StartsWith("host KVM module is kvm_amd, not kvm_intel", caps.Apicv.Detail);
        Assert.True(caps.Cpu.Has("svm"));
        Assert.Equal("AMD EPYC 7763 64-Core Processor", caps.Cpu.ModelName);
    }

    [Fact]
    public void EmptyTreeHasNoKvmAndSaysWhy()
    {
        using var tmp = new TempDir();
        var caps = HostProbe.ProbeFiles(tmp.Path);

        Assert.False(caps.Kvm.Available);
        Assert.Contains("dev/kvm does not exist", caps.Kvm.Detail);
        Assert.Equal("none", caps.Backend);
        Assert.StartsWith("no KVM module is loaded", caps.Apicv.Detail);
        Assert.Equal(CpuInfo.Unknown, caps.Cpu);
    }

    [Fact]
    public void IpivNeedsApicvEvenWhenEnabled()
    {
        using var tmp = new TempDir();
        tmp.File("sys/module/kvm_intel/parameters/enable_ipiv", "Y\n");
        tmp.File("sys/module/kvm_intel/parameters/enable_apicv", "N\n");
        var caps = HostProbe.ProbeFiles(tmp.Path);

        Assert.False(caps.Ipiv.Available);
        Assert.Contains("IPIv works only with APICv on", caps.Ipiv.Detail);
        Assert.False(caps.Apicv.Available);
        Assert.StartsWith("kvm_intel loaded with enable_apicv=N", caps.Apicv.Detail);
    }

    [Fact]
    public void OldKernelWithoutIpivParameter()
    {
        using var tmp = new TempDir();
        tmp.File("sys/module/kvm_intel/parameters/enable_apicv", "Y\n");
        var caps = HostProbe.ProbeFiles(tmp.Path);
        Assert.False(caps.Ipiv.Available);
        Assert.Contains("no enable_ipiv parameter", caps.Ipiv.Detail);
    }

    [Fact]
    public void AvicOffAndForcedAvic()
    {
        using var off = new TempDir();
        off.File("sys/module/kvm_amd/parameters/avic", "N\n");
        Assert.StartsWith("kvm_amd loaded with avic=N", HostProbe.ProbeFiles(off.Path).Avic.Detail);

        using var forced = new TempDir();
        forced.File("sys/module/kvm_amd/parameters/avic", "Y\n");
        forced.File("sys/module/kvm_amd/parameters/force_avic", "Y\n");
        var caps = HostProbe.ProbeFiles(forced.Path);
        Assert.True(caps.Avic.Available);
        Assert.Contains("force_avic=Y", caps.Avic.Detail);

        // What kvm_amd avic=1 force_avic=1 gives in an L1 under TCG: the CPU lists svm, not avic.
        forced.File("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: QEMU TCG CPU version 2.5+\nflags\t\t: fpu svm npt vgif\n");
        var l1 = HostProbe.ProbeFiles(forced.Path);
        Assert.False(l1.Avic.Available);
        Assert.Contains("AVIC is not supported in CPUID but force enabled", l1.Avic.Detail);
    }

    [Fact]
    public void PvmWithNoX2ApicHidesX2Apic()
    {
        using var tmp = new TempDir();
        tmp.File("sys/module/kvm_pvm/parameters/no_x2apic", "Y\n");
        var caps = HostProbe.ProbeFiles(tmp.Path);
        Assert.False(caps.KvmX2Apic.Available);
        Assert.Contains("no_x2apic=Y", caps.KvmX2Apic.Detail);
    }

    [Fact]
    public void CpuFlagReportExplainsAbsence()
    {
        var pvm = HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")).Cpu;
        Assert.Equal("AMD CPU: hardware virtualization shows up as svm, not vmx", CpuFlagReport.Describe(pvm, "vmx").Detail);
        Assert.Contains("itself a VM", CpuFlagReport.Describe(pvm, "svm").Detail);
        Assert.True(CpuFlagReport.Describe(pvm, "x2apic").Available);

        var intel = HostProbe.ProbeFiles(Fixtures.Tree("intel-apicv-ipiv")).Cpu;
        Assert.Equal("Intel CPU: hardware virtualization shows up as vmx, not svm", CpuFlagReport.Describe(intel, "svm").Detail);
    }

    [Fact]
    public void CpuInfoReadsOnlyTheFirstProcessor()
    {
        var cpu = CpuInfo.Parse("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu svm\n");
        Assert.True(cpu.Has("vmx"));
        Assert.False(cpu.Has("svm"));
    }
}

/// <summary>The trees recorded inside the real L1 hosts (Fixtures/README.md).</summary>
public class L1HostFixtureTests
{
    [Theory]
    [InlineData("kvm-amd-l1-tcg-6.1")]
    [InlineData("kvm-amd-l1-tcg-6.12")]
    public void MainlineKvmAmdInAnL1UnderTcg(string tree)
    {
        var caps = HostProbe.ProbeFiles(Fixtures.Tree(tree));

        Assert.Equal("kvm_amd", caps.Backend);
        Assert.True(caps.Kvm.Available);
        Assert.True(caps.Cpu.Has("svm"));
        Assert.False(caps.Cpu.Has("avic"));
        Assert.False(caps.Avic.Available);
        Assert.StartsWith("kvm_amd loaded with avic=N", caps.Avic.Detail);
        Assert.False(caps.Apicv.Available);
        Assert.True(caps.KvmX2Apic.Available);
        // kvm_amd loads with nested=1 there: such an L1 could itself host a KVM L2 hypervisor.
        Assert.True(NestedVirtualization.Probe(caps).Available);
    }
}
