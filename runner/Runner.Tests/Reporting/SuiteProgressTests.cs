using Runner.Config;
using Runner.Execution;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Reporting;

namespace Runner.Tests.Reporting;

public class SuiteProgressTests
{
    static TestEntry E(string name) => new() { Name = name, File = name };

    static TestRunResult Done(TestEntry e) => new(e, AccelDecision.Use(AccelKind.Kvm, "test"), new Verdict(Outcome.Pass, ""), TimeSpan.Zero);

    [Fact]
    public void SaysWhatIsDoneRunningAndLeft()
    {
        var entries = new[] { E("selftest"), E("cpuid"), E("idt"), E("smp-2"), E("smp-4"), E("apic-xapic") };
        var p = new SuiteProgress(entries);

        Assert.Equal("0/6 done; starting; 6 left: selftest, cpuid, idt, …", p.Description);
        p.Started(entries[0]);
        p.Started(entries[1]);
        Assert.Equal("0/6 done; running selftest, cpuid; 4 left: idt, smp-2, smp-4, …", p.Description);
        p.Finished(Done(entries[0]));
        Assert.Equal("1/6 done; running cpuid; 4 left: idt, smp-2, smp-4, …", p.Description);
        foreach (var e in entries[1..]) { p.Started(e); p.Finished(Done(e)); }
        Assert.Equal("6/6 done", p.Description);
    }
}
