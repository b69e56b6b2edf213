using Runner.Counters;

namespace Runner.Tests.Counters;

public class PerfTracepointsTests
{
    static readonly string[] Events = ["kvm:kvm_exit", "kvm:kvm_msr", "kvm:kvm_pv_eoi"];

    [Fact]
    public void ParsesCountsFromPerfStatCsv()
    {
        // `perf stat -x, -o FILE` as perf 6.1 wrote it here.
        const string csv = "# started on Sat Nov 21 23:43:30 2026\n\n260,,kvm:kvm_msr,1001234,100.00,,\n0,,kvm:kvm_pv_eoi,1001234,100.00,,\n";
        var counts = PerfTracepoints.Parse(csv, Events);
        Assert.Equal(260, counts["kvm:kvm_msr"]);
        Assert.Equal(0, counts["kvm:kvm_pv_eoi"]);
        Assert.Null(counts["kvm:kvm_exit"]);       // absent from the output: unknown, not zero
    }

    [Fact]
    public void NotCountedIsUnknownNotZero()
    {
        const string csv = "<not counted>,,kvm:kvm_exit,0,100.00,,\n<not supported>,,kvm:kvm_msr,0,100.00,,\n";
        var counts = PerfTracepoints.Parse(csv, Events);
        Assert.Null(counts["kvm:kvm_exit"]);
        Assert.Null(counts["kvm:kvm_msr"]);
    }

    [Fact]
    public void TracepointExistsOnlyWithItsTracefsDirectory()
    {
        var root = Path.Combine(Path.GetTempPath(), "perf-tp-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, PerfTracepoints.TracefsEvents, "kvm", "kvm_msr"));
            Assert.True(PerfTracepoints.Exists("kvm:kvm_msr", root));
            Assert.False(PerfTracepoints.Exists("kvm:kvm_pv_eoi", root));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
