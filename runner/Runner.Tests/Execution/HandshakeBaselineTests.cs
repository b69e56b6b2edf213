using Runner.Execution;
using Runner.Qemu;

namespace Runner.Tests.Execution;

public class HandshakeBaselineTests
{
    static KvmCounters C(long exits, long io) => new() { Vcpu = new Dictionary<string, long> { ["exits"] = exits, ["io_exits"] = io }, VcpuCount = 2 };

    [Fact]
    public void TheEmptyRegionsExitsAreTakenOffTheMeasuredRegionCounterByCounter()
    {
        KvmReading[] readings =
        [
            new(SyncTags.BaselineBegin, C(1_000, 400)), new(SyncTags.BaselineEnd, C(1_130, 520)),
            new(SyncTags.MeasureBegin, C(1_200, 560)), new(SyncTags.MeasureEnd, C(1_600, 690)),
        ];
        var r = HandshakeBaseline.Between(readings, SyncTags.MeasureBegin, SyncTags.MeasureEnd);
        Assert.Equal(400, r.Raw.VcpuValue("exits"));
        Assert.Equal(130, r.Baseline.VcpuValue("exits"));
        Assert.Equal(270, r.Net.VcpuValue("exits"));
        Assert.Equal(10, r.Net.VcpuValue("io_exits"));
    }

    [Fact]
    public void WithoutABaselineThereIsNoNetFigureOnlyTheReason()
    {
        KvmReading[] readings = [new(SyncTags.MeasureBegin, C(1_200, 0)), new(SyncTags.MeasureEnd, C(1_600, 0))];
        var r = HandshakeBaseline.Between(readings, SyncTags.MeasureBegin, SyncTags.MeasureEnd);
        Assert.True(r.Raw.IsAvailable);
        Assert.False(r.Net.IsAvailable);
        Assert.Contains("baseline-begin", r.Net.Unavailable);
    }

    [Fact]
    public void AtEndTheFinalHandshakeIsMeasuredByTheSyncBeforeIt()
    {
        // handshake reading = body + one handshake; end − handshake = one more handshake.
        KvmReading[] readings = [new(SyncTags.Handshake, C(10_100, 300)), new(SyncSession.EndTag, C(10_200, 390))];
        var r = HandshakeBaseline.AtEnd(readings);
        Assert.Equal(100, r.Baseline.VcpuValue("exits"));
        Assert.Equal(10_000, r.Net.VcpuValue("exits"));
        Assert.Equal(210, r.Net.VcpuValue("io_exits"));
    }
}
