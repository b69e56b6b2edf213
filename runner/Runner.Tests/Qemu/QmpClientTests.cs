using Runner.Qemu;
using Runner.Tests.Support;

namespace Runner.Tests.Qemu;

/// <summary>The QMP client and the counter reader against a fake QMP server on a real unix socket.</summary>
public class QmpClientTests
{
    [Fact]
    public async Task ConnectsEvenWhenTheSocketAppearsLateAndReadsTwoSnapshots()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "qmp.sock");
        await using var server = new FakeQmpServer(path) { SendEvents = true };
        await using var reader = new KvmStatsReader(path, () => true);
        await Task.Delay(150);            // QEMU creating its socket a little after start
        server.Start();

        var begin = await reader.ReadAsync();
        var end = await reader.ReadAsync();

        Assert.True(begin.IsAvailable, begin.Unavailable);
        Assert.Equal(1364, begin.VcpuValue("exits"));
        Assert.Equal(1507, end.VcpuValue("exits"));
        Assert.Equal(143, KvmCounters.Delta(begin, end).Vcpu["exits"]);
        // Handshake first, schemas once, then vcpu and vm per reading.
        Assert.Equal(["qmp_capabilities", "query-stats-schemas", "query-stats vcpu", "query-stats vm", "query-stats vcpu", "query-stats vm"],
            server.Received);
    }

    [Fact]
    public async Task OldQemuWithoutQueryStatsSaysSoInsteadOfZeros()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "qmp.sock");
        await using var server = new FakeQmpServer(path) { NoQueryStats = true };
        server.Start();
        await using var reader = new KvmStatsReader(path, () => true);

        var c = await reader.ReadAsync();
        var again = await reader.ReadAsync();

        Assert.False(c.IsAvailable);
        Assert.Equal("unavailable: QEMU < 7.1 has no query-stats (this is QEMU 7.2.22)", c.Unavailable);
        Assert.Empty(c.Vcpu);
        Assert.Equal(c.Unavailable, again.Unavailable);
        // The second reading does not ask again.
        Assert.Equal(1, server.Received.Count(r => r == "query-stats vcpu"));
    }

    [Fact]
    public async Task AVmThatGoesAwayMidQueryIsReportedAsExited()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "qmp.sock");
        await using var server = new FakeQmpServer(path) { HangUpAt = "query-stats" };
        server.Start();
        await using var reader = new KvmStatsReader(path, () => true);

        var c = await reader.ReadAsync();

        Assert.Equal(KvmCounters.VmExited, c.Unavailable);
    }

    [Fact]
    public async Task AQemuThatExitsBeforeItsSocketExistsIsReportedAsExited()
    {
        using var tmp = new TempDir();
        bool running = true;
        await using var reader = new KvmStatsReader(Path.Combine(tmp.Path, "never.sock"), () => running);
        running = false;

        var c = await reader.ReadAsync().WaitAsync(TimeSpan.FromSeconds(3));

        Assert.Equal(KvmCounters.VmExited, c.Unavailable);
    }

    [Fact]
    public async Task ExecuteReturnsErrorsAsExceptionsWithTheirClass()
    {
        using var tmp = new TempDir();
        var path = Path.Combine(tmp.Path, "qmp.sock");
        await using var server = new FakeQmpServer(path);
        server.Start();
        await using var qmp = await QmpClient.ConnectAsync(path, TimeSpan.FromSeconds(5));

        var e = await Assert.ThrowsAsync<QmpErrorException>(() => qmp.ExecuteAsync("no-such-command"));

        Assert.True(e.IsCommandNotFound);
        Assert.Equal(new Version(7, 2, 22), qmp.QemuVersion);
    }
}
