using Runner.Reporting;

namespace Runner.Tests.Reporting;

public class TapWriterTests
{
    static readonly string[] Lines = TapWriter.Render(ResultFactory.Mixed()).Split('\n');

    [Fact]
    public void HasVersionPlanAndOnePointPerKernel()
    {
        Assert.Equal("TAP version 13", Lines[0]);
        Assert.Equal("1..5", Lines[1]);
        Assert.Equal(
        [
            "ok 1 - selftest",
            "not ok 2 - tcg-msr",
            "ok 3 - ipiv # SKIP requires ipiv: host KVM module is kvm_pvm",
            "not ok 4 - xfail-msr # TODO msr.reserved_read_gp: TCG: no #GP; msr.reserved_write_gp: TCG: no #GP",
            "not ok 5 - hang",
        ], Lines.Where(l => l.StartsWith("ok ") || l.StartsWith("not ok ")));
    }

    [Fact]
    public void YamlBlocksCarryReasonAndChecks()
    {
        var text = string.Join('\n', Lines);
        Assert.Equal(5, Lines.Count(l => l == "  ---"));
        Assert.Equal(5, Lines.Count(l => l == "  ..."));
        Assert.Contains("  message: \"2 of 4 checks failed: msr.reserved_read_gp: expected 0xd got 0xffffffffffffffff; msr.reserved_write_gp: expected 0xd got 0xffffffffffffffff\"", Lines);
        Assert.Contains("    - name: \"msr.reserved_read_gp\"\n      outcome: FAIL\n      detail: \"expected 0xd got 0xffffffffffffffff\"", text);
        Assert.Contains("      outcome: XFAIL", Lines);
        Assert.Contains("  accel: tcg", Lines);
        Assert.Contains("  outcome: TIMEOUT", Lines);
    }
}
