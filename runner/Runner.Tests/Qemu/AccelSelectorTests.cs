using Runner.Config;
using Runner.Host;
using Runner.Qemu;

namespace Runner.Tests.Qemu;

public class AccelSelectorTests
{
    static readonly Capability Usable = Capability.Yes("/dev/kvm opens read-write");
    static readonly Capability Missing = Capability.No("/dev/kvm does not exist");

    [Fact]
    public void AnyPrefersKvm()
    {
        var d = AccelSelector.Choose(AccelMode.Any, null, Usable);
        Assert.Equal(AccelKind.Kvm, d.Accel);
        Assert.Contains("KVM usable", d.Why);
    }

    [Fact]
    public void AnyFallsBackToTcgAndSaysWhy()
    {
        var d = AccelSelector.Choose(AccelMode.Any, null, Missing);
        Assert.Equal(AccelKind.Tcg, d.Accel);
        Assert.Equal("falling back to TCG because KVM is unusable: /dev/kvm does not exist", d.Why);
    }

    [Fact]
    public void KvmEntryWithoutKvmIsSkipped()
    {
        var d = AccelSelector.Choose(AccelMode.Kvm, null, Missing);
        Assert.Null(d.Accel);
        Assert.Equal("needs KVM, which is unusable here: /dev/kvm does not exist", d.SkipReason);
    }

    [Fact]
    public void TcgEntryStaysTcgEvenWithKvm()
    {
        Assert.Equal(AccelKind.Tcg, AccelSelector.Choose(AccelMode.Tcg, null, Usable).Accel);
    }

    [Fact]
    public void OptionOverridesAnyEntry()
    {
        var d = AccelSelector.Choose(AccelMode.Any, AccelMode.Tcg, Usable);
        Assert.Equal(AccelKind.Tcg, d.Accel);
        Assert.Equal("--accel asks for tcg", d.Why);
    }

    [Fact]
    public void OptionConflictingWithEntrySkips()
    {
        var d = AccelSelector.Choose(AccelMode.Kvm, AccelMode.Tcg, Usable);
        Assert.Null(d.Accel);
        Assert.Equal("entry needs accel=kvm but --accel tcg was given", d.SkipReason);
    }
}
