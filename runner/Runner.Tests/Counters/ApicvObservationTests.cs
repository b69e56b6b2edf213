using Runner.Counters;

namespace Runner.Tests.Counters;

/// <summary>Traces recorded from real runs (Fixtures/apicv-trace, see Fixtures/README.md).</summary>
public class ApicvObservationTests
{
    static string Trace(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "apicv-trace", name));

    [Fact]
    public void Linux612NamesTheReasonItself()
    {
        var o = ApicvObservation.FromTrace(Trace("l1-6.12-avic0-q35.trace"), 298, "measure-begin", "measure-end", "6.12.117+deb12-amd64");
        Assert.Equal(ApicvInVm.Inhibited, o.State);
        Assert.Equal(0x1UL, o.MaskAtBegin);
        Assert.Equal(["DISABLED"], o.Inhibits);
        Assert.Equal(3, o.Evidence.Count);
    }

    [Fact]
    public void Linux61PrintsNumbersOnlyAndIsDecodedInItsOwnOrder()
    {
        var o = ApicvObservation.FromTrace(Trace("l1-6.1-avic0-q35.trace"), 242, "measure-begin", "measure-end", "6.1.0-57-amd64");
        Assert.Equal(ApicvInVm.Inhibited, o.State);
        Assert.Equal(0x5UL, o.MaskAtBegin);
        Assert.Equal(["DISABLE", "ABSENT"], o.Inhibits);
    }

    [Theory]
    [InlineData("l1-6.12-force-avic-q35.trace", 300, "6.12.117+deb12-amd64", 0x200UL)]
    [InlineData("l1-6.1-force-avic-q35.trace", 243, "6.1.0-57-amd64", 0x100UL)]
    public void TheReinjectingPitOfQ35InhibitsAForcedAvic(string trace, int pid, string release, ulong mask)
    {
        // kvm_amd avic=1 force_avic=1: enable_apicv is on, so KVM records PIT_REINJ (and the
        // transient IRQWIN while it sets the VM up); 6.1 numbers it bit 8, 6.12 bit 9.
        var o = ApicvObservation.FromTrace(Trace(trace), pid, "measure-begin", "measure-end", release);
        Assert.Equal(ApicvInVm.Inhibited, o.State);
        Assert.Equal(mask, o.MaskAtBegin);
        Assert.Equal(["PIT_REINJ"], o.Inhibits);
        Assert.Empty(o.DuringBatch);
    }

    [Fact]
    public void AnotherProcesssEventsAndMarkersAreNotTaken()
    {
        var o = ApicvObservation.FromTrace(Trace("kvm-pvm-6.18-microvm.trace"), 4242, "measure-begin", "measure-end", "6.18.44");
        Assert.Equal(ApicvInVm.Unverified, o.State);
        Assert.Contains("no trace marker", o.Detail);
    }

    [Fact]
    public void AMaskOfZeroThroughTheBatchIsActiveAndAChangeDuringItIsNot()
    {
        // Hand-written from the recorded line format: a VM whose irqchip came up with AVIC on,
        // then (second trace) an IRQ-window inhibit set inside the batch.
        const string head =
            " qemu-system-x86-500     (    500) [000] .....    10.000000: kvm_apicv_inhibit_changed: set reason=2, inhibits=0x4 ABSENT\n" +
            " qemu-system-x86-500     (    500) [000] .....    10.100000: kvm_apicv_inhibit_changed: cleared reason=2, inhibits=0x0\n" +
            "   .NET TP Worker-9      (      7) [001] ...1.    11.000000: tracing_mark_write: ktest 500 measure-begin\n";
        const string tail = "   .NET TP Worker-9      (      7) [001] ...1.    12.000000: tracing_mark_write: ktest 500 measure-end\n";
        var active = ApicvObservation.FromTrace(head + tail, 500, "measure-begin", "measure-end", "6.12.117");
        Assert.Equal(ApicvInVm.Active, active.State);

        const string irqwin = "  qemu-system-x86-502   (    500) [001] .....    11.500000: kvm_apicv_inhibit_changed: set reason=8, inhibits=0x100 IRQWIN\n";
        var inhibited = ApicvObservation.FromTrace(head + irqwin + tail, 500, "measure-begin", "measure-end", "6.12.117");
        Assert.Equal(ApicvInVm.Inhibited, inhibited.State);
        Assert.Equal(["IRQWIN"], inhibited.Inhibits);
        Assert.Single(inhibited.DuringBatch);
    }

    [Fact]
    public void NoEventBeforeTheBatchIsUnverifiedNeverActive()
    {
        const string trace =
            "   .NET TP Worker-9      (      7) [001] ...1.    11.000000: tracing_mark_write: ktest 500 measure-begin\n" +
            "   .NET TP Worker-9      (      7) [001] ...1.    12.000000: tracing_mark_write: ktest 500 measure-end\n";
        var o = ApicvObservation.FromTrace(trace, 500, "measure-begin", "measure-end", "6.12.117");
        Assert.Equal(ApicvInVm.Unverified, o.State);
        Assert.Contains("never traced", o.Detail);
    }
}
