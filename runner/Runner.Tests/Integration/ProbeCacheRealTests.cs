using Runner.Host;
using Runner.Qemu;
using Runner.Tests.Cli;
using Runner.Tests.Support;

namespace Runner.Tests.Integration;

/// <summary>The guest-probe cache with the installed QEMU and this host's KVM: probed once, then reused, re-probed when damaged or asked.</summary>
[Trait("Category", "Qemu")]
public class ProbeCacheRealTests
{
    static string Qemu() =>
        QemuBinary.Locate(null, null, Environment.GetEnvironmentVariable("PATH"))
        ?? throw new InvalidOperationException(QemuBinary.InstallHint);

    [Fact]
    public async Task ProbedOnceThenCachedThenReprobedWhenCorruptOrRefreshed()
    {
        using var tmp = new TempDir();
        var cache = new ProbeCache(Path.Combine(tmp.Path, "cache"));
        var first = await HostCapsProbe.ProbeAsync("/", Qemu(), bootGuest: true, cache: cache);
        if (!first.Kvm.Available)
        {
            // No KVM: nothing is booted, so nothing may be cached either.
            Assert.Equal(SseOutcome.NotRun, first.Guest.Sse);
            Assert.False(Directory.Exists(cache.Dir));
            Assert.Skip("no usable /dev/kvm: no guest probe to cache");
        }

        Assert.StartsWith("probed now (nothing cached yet); saved to ", first.GuestProbeOrigin);
        var second = await HostCapsProbe.ProbeAsync("/", Qemu(), bootGuest: true, cache: cache);
        Assert.StartsWith("cached in ", second.GuestProbeOrigin);
        Assert.Equal(first.Guest, second.Guest);

        var file = Assert.Single(Directory.GetFiles(cache.Dir));
        File.WriteAllText(file, "format = 1\nresult sse = Works\n");
        var afterDamage = await HostCapsProbe.ProbeAsync("/", Qemu(), bootGuest: true, cache: cache);
        Assert.StartsWith("probed now (cache stale: ", afterDamage.GuestProbeOrigin);
        Assert.Equal(first.Guest, afterDamage.Guest);

        File.WriteAllText(file, "not a cache file at all");
        var afterGarbage = await HostCapsProbe.ProbeAsync("/", Qemu(), bootGuest: true, cache: cache);
        Assert.StartsWith("probed now (cache unusable: ", afterGarbage.GuestProbeOrigin);

        var refreshed = await HostCapsProbe.ProbeAsync("/", Qemu(), bootGuest: true, cache: cache, refresh: true);
        Assert.StartsWith("probed now (--refresh); saved to ", refreshed.GuestProbeOrigin);
        Assert.Equal(first.Guest, refreshed.Guest);
    }

    [Fact]
    public async Task CapsRefreshProbesAgainAndSaysSo()
    {
        using var tmp = new TempDir();
        var env = new Dictionary<string, string> { ["KTEST_CACHE"] = tmp.Path };
        var (code1, out1, _) = await RunnerProcess.RunAsync(tmp.Path, ["caps"], env);
        if (!HostProbe.ProbeFiles("/").Kvm.Available)
        {
            Assert.Equal(0, code1);
            Assert.DoesNotContain("guest probe:", out1);
            Assert.Skip("no usable /dev/kvm: no guest probe to cache");
        }
        var (_, out2, _) = await RunnerProcess.RunAsync(tmp.Path, ["caps"], env);
        var (code3, out3, _) = await RunnerProcess.RunAsync(tmp.Path, ["caps", "--refresh"], env);

        Assert.Equal(0, code1);
        Assert.Contains("guest probe:           probed now (nothing cached yet); saved to " + Path.Combine(tmp.Path, "host-probe"), out1);
        Assert.Contains("guest probe:           cached in " + Path.Combine(tmp.Path, "host-probe"), out2);
        Assert.Equal(0, code3);
        Assert.Contains("guest probe:           probed now (--refresh); saved to ", out3);
    }
}
