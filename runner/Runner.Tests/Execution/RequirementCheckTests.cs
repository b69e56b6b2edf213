using Runner.Execution;
using Runner.Host;
using Runner.Qemu;
using Runner.Tests.Support;

namespace Runner.Tests.Execution;

public class RequirementCheckTests
{
    static HostCaps Caps(string tree, string qemuVersion = "7.2.22") =>
        HostProbe.ProbeFiles(Fixtures.Tree(tree)) with
        {
            Qemu = new QemuBinary("/usr/bin/qemu-system-x86_64", "QEMU emulator version " + qemuVersion, Version.Parse(qemuVersion)),
        };

    [Fact]
    public void NothingRequiredNothingUnmet() =>
        Assert.Null(RequirementCheck.FirstUnmet([], Caps("kvm-pvm-host"), AccelKind.Tcg));

    [Fact]
    public void ApicvOnPvmHostIsUnmetWithTheProbeReason()
    {
        var why = RequirementCheck.FirstUnmet(["kvm", "apicv"], Caps("kvm-pvm-host"), AccelKind.Kvm);
        Assert.Equal("requires apicv: host KVM module is kvm_pvm, not kvm_intel; APICv needs kvm_intel with enable_apicv=Y on a CPU with APIC virtualization", why);
    }

    [Fact]
    public void HandWrittenIntelIpivTreeMeetsIpiv() =>
        Assert.Null(RequirementCheck.FirstUnmet(["kvm", "apicv", "ipiv", "x2apic", "pv-eoi"], Caps("intel-apicv-ipiv"), AccelKind.Kvm));

    [Fact]
    public void HandWrittenAmdTreeMeetsAvicButNotUnderTcg()
    {
        Assert.Null(RequirementCheck.FirstUnmet(["avic"], Caps("amd-avic"), AccelKind.Kvm));
        Assert.Equal("requires avic: this run uses TCG; avic exists only under KVM",
            RequirementCheck.FirstUnmet(["avic"], Caps("amd-avic"), AccelKind.Tcg));
    }

    [Fact]
    public void KvmRequirementUnderTcgIsUnmet() =>
        Assert.Equal("requires kvm: this run uses TCG", RequirementCheck.FirstUnmet(["kvm"], Caps("intel-apicv-ipiv"), AccelKind.Tcg));

    [Theory]
    [InlineData("7.2.22", false)]
    [InlineData("8.2.0", false)]
    [InlineData("9.0.0", true)]
    public void X2ApicUnderTcgDependsOnQemuVersion(string version, bool met)
    {
        var c = RequirementCheck.Evaluate("x2apic", Caps("kvm-pvm-host", version), AccelKind.Tcg);
        Assert.Equal(met, c.Available);
        Assert.Contains(version, c.Detail);
    }
}
