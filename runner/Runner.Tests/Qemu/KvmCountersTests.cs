using System.Text.Json.Nodes;
using Runner.Qemu;

namespace Runner.Tests.Qemu;

/// <summary>query-stats parsing against the replies QEMU 7.2 gave on kvm_pvm around a 20-IPI batch (Fixtures/qmp).</summary>
public class KvmCountersTests
{
    static JsonNode? Return(string file) =>
        QmpClient.ParseReply("query-stats", JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qmp", file)))!.AsObject());

    static KvmCounters Snapshot(string tag) =>
        KvmCounters.FromQueryStats(Return($"query-stats-vcpu-{tag}.json"), Return($"query-stats-vm-{tag}.json"),
            KvmCounters.NonCumulativeFromSchemas(Return("query-stats-schemas.json")));

    [Fact]
    public void SumsEachCounterOverTheVcpus()
    {
        var begin = Snapshot("measure-begin");

        Assert.True(begin.IsAvailable);
        Assert.Equal(2, begin.VcpuCount);
        // vCPU 1 (device[2]) 58 + vCPU 0 (device[0]) 1306, as recorded.
        Assert.Equal(1364, begin.VcpuValue("exits"));
        Assert.Equal(48222 + 144540, begin.VcpuValue("insn_emulation"));
        Assert.Equal(5, begin.VcpuValue("irq_injections"));
        Assert.Equal(0, begin.VcpuValue("io_exits"));
        Assert.Equal(22081, begin.Vm["mmu_pte_write"]);
    }

    [Fact]
    public void KeepsEveryIntegerCounterByNameButNoBooleansOrHistograms()
    {
        var begin = Snapshot("measure-begin");

        // 45 stats per vCPU, of which guest_mode and blocking are booleans and three are histograms.
        Assert.Equal(40, begin.Vcpu.Count);
        Assert.DoesNotContain("guest_mode", begin.Vcpu.Keys);
        Assert.DoesNotContain("halt_poll_fail_hist", begin.Vcpu.Keys);
        Assert.Contains("halt_exits", begin.Vcpu.Keys);
        Assert.Contains("irq_exits", begin.Vcpu.Keys);
        Assert.Contains("signal_exits", begin.Vcpu.Keys);
        Assert.Equal(15, begin.Vm.Count);
    }

    [Fact]
    public void SchemasNameTheCountersThatAreNotCumulative()
    {
        var names = KvmCounters.NonCumulativeFromSchemas(Return("query-stats-schemas.json"));

        Assert.Contains("pages_4k", names);              // instant
        Assert.Contains("max_mmu_rmap_size", names);     // peak
        Assert.Contains("guest_mode", names);
        Assert.DoesNotContain("exits", names);
        Assert.DoesNotContain("mmu_pte_write", names);
    }

    [Fact]
    public void DeltaIsEndMinusBeginForCumulativeCounters()
    {
        var delta = KvmCounters.Delta(Snapshot("measure-begin"), Snapshot("measure-end"));

        Assert.True(delta.IsAvailable);
        Assert.Equal(1507 - 1364, delta.Vcpu["exits"]);
        Assert.Equal(20, delta.Vcpu["irq_injections"]);      // the 20 IPIs the target received
        Assert.Equal(278362 - 192762, delta.Vcpu["insn_emulation"]);
        Assert.Equal(34902 - 22081, delta.Vm["mmu_pte_write"]);
        Assert.DoesNotContain("pages_4k", delta.Vm.Keys);     // instant: no delta
        Assert.DoesNotContain("max_mmu_rmap_size", delta.Vm.Keys);
    }

    [Fact]
    public void DeltaOfAnUnavailableSideSaysWhichSide()
    {
        var begin = Snapshot("measure-begin");
        var gone = KvmCounters.Missing(KvmCounters.VmExited);

        var d1 = KvmCounters.Delta(begin, gone);
        var d2 = KvmCounters.Delta(gone, begin);

        Assert.False(d1.IsAvailable);
        Assert.Equal("unavailable: no counters at the end (unavailable: VM exited before the counters could be read)", d1.Unavailable);
        Assert.StartsWith("unavailable: no counters at the start", d2.Unavailable);
        Assert.Empty(d1.Vcpu);
    }

    [Fact]
    public void TcgAnswersAnEmptyListWhichIsNotZeroCounters()
    {
        var c = KvmCounters.FromQueryStats(Return("query-stats-vcpu-tcg.json"), new JsonArray());

        Assert.False(c.IsAvailable);
        Assert.Equal("unavailable: QEMU reports no KVM statistics for this VM (it does not run under KVM)", c.Unavailable);
        Assert.Null(c.VcpuValue("exits"));
    }

    [Fact]
    public void CommandNotFoundIsRecognised()
    {
        var reply = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qmp", "command-not-found.json")))!.AsObject();

        var e = Assert.Throws<QmpErrorException>(() => QmpClient.ParseReply("query-stats", reply));
        Assert.True(e.IsCommandNotFound);
        Assert.Equal("CommandNotFound", e.ErrorClass);
    }

    [Fact]
    public void GreetingGivesTheQemuVersion()
    {
        var greeting = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qmp", "greeting.json")))!.AsObject();

        Assert.Equal(new Version(7, 2, 22), QmpClient.ParseGreeting(greeting));
        Assert.Throws<QmpUnavailableException>(() => QmpClient.ParseGreeting(new JsonObject { ["return"] = new JsonObject() }));
    }

    [Fact]
    public void ReplyWithoutReturnOrErrorIsRejected() =>
        Assert.Throws<QmpUnavailableException>(() => QmpClient.ParseReply("x", new JsonObject { ["id"] = "1" }));

    [Fact]
    public void MissingPrefixesUnavailableOnce()
    {
        Assert.Equal("unavailable: why", KvmCounters.Missing("why").Unavailable);
        Assert.Equal("unavailable: why", KvmCounters.Missing("unavailable: why").Unavailable);
    }
}
