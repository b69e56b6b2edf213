using Runner.Protocol;

namespace Runner.Tests.Protocol;

public class ProtocolLineParserTests
{
    [Fact]
    public void ParsesEveryRecordKind()
    {
        Assert.Equal(new BeginRecord(1, "selftest", 2), ProtocolLineParser.Parse("#kt begin selftest 2", 1));
        Assert.Equal(new ArgRecord(2, "cpus", "1"), ProtocolLineParser.Parse("#kt arg cpus 1", 2));
        Assert.Equal(new CheckPassRecord(3, "report.check"), ProtocolLineParser.Parse("#kt check pass report.check", 3));
        Assert.Equal(new CheckFailRecord(4, "msr.reserved_read_gp", "expected 0xd got 0xffffffffffffffff"),
            ProtocolLineParser.Parse("#kt check fail msr.reserved_read_gp expected 0xd got 0xffffffffffffffff", 4));
        Assert.Equal(new SkipRecord(5, "report.skip", "deliberate skip: the runner must count it as skipped"),
            ProtocolLineParser.Parse("#kt skip report.skip deliberate skip: the runner must count it as skipped", 5));
        Assert.Equal(new MetricRecord(6, "report.metric", -42, "count"), ProtocolLineParser.Parse("#kt metric report.metric -42 count", 6));
        Assert.Equal(new InfoRecord(7, "cpuid.vendor", "AuthenticAMD"), ProtocolLineParser.Parse("#kt info cpuid.vendor AuthenticAMD", 7));
        Assert.Equal(new FaultRecord(8, 14, 0x2, 0xffffffff80001234, 1, "page fault in apic_write"),
            ProtocolLineParser.Parse("#kt fault 14 0x2 0xffffffff80001234 1 page fault in apic_write", 8));
        Assert.Equal(new EndRecord(9, 27, 0, 1), ProtocolLineParser.Parse("#kt end 27 0 1", 9));
    }

    [Fact]
    public void KeepsTrailingSpacesOfFreeText()
    {
        // Recorded: the hypervisor signature is 12 bytes, padded with spaces.
        var r = Assert.IsType<InfoRecord>(ProtocolLineParser.Parse("#kt info cpuid.hypervisor_signature KVMKVMKVM   ", 1));
        Assert.Equal("KVMKVMKVM   ", r.Text);
    }

    [Fact]
    public void StripsCarriageReturn()
    {
        Assert.Equal(new EndRecord(1, 1, 0, 0), ProtocolLineParser.Parse("#kt end 1 0 0\r", 1));
    }

    [Theory]
    [InlineData("SeaBIOS (version 1.16.2-debian-1.16.2-1)")]
    [InlineData("")]
    [InlineData("#ktbegin x 1")]
    [InlineData(" #kt begin x 1")]
    [InlineData("# kt end 1 0 0")]
    public void NoiseIsNotARecord(string line)
    {
        Assert.Null(ProtocolLineParser.Parse(line, 1));
    }

    [Theory]
    [InlineData("#kt begin selftest", "begin <kernel> <cpus>")]
    [InlineData("#kt begin selftest one", "cpus 'one'")]
    [InlineData("#kt check maybe x", "pass or fail")]
    [InlineData("#kt check fail x", "missing detail")]
    [InlineData("#kt check pass x extra words", "only a name")]
    [InlineData("#kt check pass Bad Name", "not a token")]
    [InlineData("#kt check pass UPPER", "not a token")]
    [InlineData("#kt metric m 1.5 ns", "not a signed decimal integer")]
    [InlineData("#kt metric m 15", "metric <name> <value> <unit>")]
    [InlineData("#kt fault 14 2 0x1 0 x", "not hex with 0x")]
    [InlineData("#kt end 1 0", "end <pass> <fail> <skip>")]
    [InlineData("#kt end 1 -1 0", "fail '-1'")]
    [InlineData("#kt skip x", "missing reason")]
    [InlineData("#kt hello", "unknown record 'hello'")]
    public void BrokenProtocolLinesBecomeMalformedRecords(string line, string problem)
    {
        var r = Assert.IsType<MalformedRecord>(ProtocolLineParser.Parse(line, 12));
        Assert.Equal(12, r.LineNumber);
        Assert.Equal(line, r.Text);
        Assert.Contains(problem, r.Problem);
    }

    [Fact]
    public void ParseAllNumbersEveryLineIncludingNoise()
    {
        var records = ProtocolLineParser.ParseAll(["boot noise", "#kt begin k 1", "more noise", "#kt end 0 0 0"]);
        Assert.Equal([2, 4], records.Select(r => r.LineNumber));
    }
}

public class SyncLineTests
{
    [Fact]
    public void SyncLineCarriesItsTag()
    {
        var r = Assert.IsType<SyncRecord>(ProtocolLineParser.Parse("#kt sync measure-begin", 4));
        Assert.Equal("measure-begin", r.Tag);
        Assert.Equal(4, r.LineNumber);
    }

    [Theory]
    [InlineData("#kt sync")]
    [InlineData("#kt sync a b")]
    [InlineData("#kt sync Measure")]
    public void MalformedSyncLinesAreEvidenceNotErrors(string line) =>
        Assert.IsType<MalformedRecord>(ProtocolLineParser.Parse(line, 1));

    [Fact]
    public void SyncLinesDoNotDisturbTheVerdict()
    {
        var v = VerdictJudge.Judge(new RunEvidence
        {
            Stdout = ["#kt begin ipi 2", "#kt sync measure-begin", "#kt sync measure-end", "#kt check pass a", "#kt end 1 0 0"],
            ExitStatus = 1,
        });
        Assert.Equal(Outcome.Pass, v.Outcome);
    }
}
