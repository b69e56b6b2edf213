using System.Text.Json;
using System.Xml.Linq;
using Runner.Execution;
using Runner.Qemu;
using Runner.Reporting;
using Runner.Tests.Support;

namespace Runner.Tests.Reporting;

/// <summary>`runner run --kvm-stats`: the per-test table, JUnit properties and JSON; unavailable counters say why.</summary>
public class KvmCountersReportingTests
{
    static TestRunResult With(TestRunResult r, KvmCounters end) =>
        r with { KvmReadings = [new KvmReading(SyncSession.EndTag, end)] };

    static KvmCounters Counters => new()
    {
        Vcpu = new Dictionary<string, long> { ["exits"] = 110698, ["io_exits"] = 0, ["insn_emulation"] = 100123, ["halt_exits"] = 3 },
        Vm = new Dictionary<string, long> { ["mmu_pte_write"] = 7 },
        VcpuCount = 1,
    };

    [Fact]
    public void TableHasCountersOrTheReason()
    {
        var results = new[]
        {
            With(ResultFactory.Judged("selftest", Transcripts.SelftestPass, 1), Counters),
            With(ResultFactory.Judged("cpuid", Transcripts.SelftestPass, 1), KvmCounters.Missing(KvmCounters.VmExited)),
            ResultFactory.Skipped("ipiv", "requires ipiv"),
        };

        var m = KvmCountersTable.Build(results);

        Assert.Equal(["test", "vcpus", "exits", "insn_emulation", "io_exits", "halt_exits", KvmCountersTable.HandshakeColumn], m.Header);
        // No `handshake` reading: the figures are the raw ones, and the table says so.
        Assert.Equal(["selftest", "1", "110,698", "100,123", "0", "3", "not subtracted"], m.Rows.Single());
        Assert.Equal("selftest", m.Missing[0].Test);
        Assert.Contains("counters include the final handshake", m.Missing[0].Why);
        Assert.Equal([("cpuid", "unavailable: VM exited before the counters could be read"), ("ipiv", "unavailable: the test did not run")], m.Missing.Skip(1));
    }

    [Fact]
    public void JUnitCarriesTheCountersAsProperties()
    {
        var xml = XDocument.Parse(JUnitWriter.Render([
            With(ResultFactory.Judged("selftest", Transcripts.SelftestPass, 1), Counters),
            With(ResultFactory.Judged("cpuid", Transcripts.SelftestPass, 1), KvmCounters.Missing(KvmCounters.VmExited)),
        ]));

        var props = xml.Descendants("testcase").Where(t => (string?)t.Attribute("classname") == "kernels")
            .Select(t => t.Element("properties")!.Elements("property").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!))
            .ToList();
        Assert.Equal("110698", props[0]["kvm.vcpu.exits"]);
        Assert.Equal("7", props[0]["kvm.vm.mmu_pte_write"]);
        Assert.Equal("1", props[0]["kvm.vcpus"]);
        Assert.Equal("unavailable: VM exited before the counters could be read", props[1]["kvm.unavailable"]);
        Assert.False(props[1].ContainsKey("kvm.vcpu.exits"));
    }

    [Fact]
    public void RunJsonHasMetricsArgvAndCounters()
    {
        var r = With(ResultFactory.Judged("selftest", Transcripts.SelftestPass, 1), Counters);

        var doc = JsonDocument.Parse(JsonFiles.Serialize(RunJsonWriter.Build([r], "host: test")));

        var test = doc.RootElement.GetProperty("tests")[0];
        Assert.Equal("ktest-run/1", doc.RootElement.GetProperty("schema").GetString());
        Assert.Equal("PASS", test.GetProperty("outcome").GetString());
        Assert.Equal(-42, test.GetProperty("metrics").GetProperty("report.metric").GetInt64());
        Assert.Equal("qemu", test.GetProperty("argv")[0].GetString());
        var end = test.GetProperty("kvmCounters")[0];
        Assert.Equal("end", end.GetProperty("tag").GetString());
        Assert.Equal(110698, end.GetProperty("counters").GetProperty("vcpu").GetProperty("exits").GetInt64());
    }
}
