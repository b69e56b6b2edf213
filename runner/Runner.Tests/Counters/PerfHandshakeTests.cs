using System.Diagnostics;
using Runner.Counters;
using Runner.Tests.Support;

namespace Runner.Tests.Counters;

/// <summary>
/// The control-FIFO handshake against the real perf (`make deps` installs linux-perf) on a
/// process of our own, counting a software event: when StartAsync returns, perf counts.
/// </summary>
[Trait("Category", "Perf")]
public class PerfHandshakeTests
{
    [Fact]
    public async Task CountingHasBegunWhenStartReturnsAndStopsAtStop()
    {
        using var tmp = new TempDir();
        using var busy = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!;
        try
        {
            var perf = await PerfTracepoints.StartAsync(busy.Id, ["task-clock"], tmp.Path, TimeSpan.FromSeconds(20));
            await Task.Delay(300);
            var counts = await perf.StopAsync(TimeSpan.FromSeconds(20));
            // task-clock is in milliseconds, printed with decimals: a busy loop over 300 ms counts.
            Assert.True(counts.ContainsKey("task-clock"));
        }
        finally
        {
            busy.Kill();
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }
}
