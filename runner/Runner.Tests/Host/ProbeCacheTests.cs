using Runner.Host;
using Runner.Qemu;
using Runner.Tests.Support;

namespace Runner.Tests.Host;

/// <summary>
/// The guest-probe cache: a result is reused only while every key part holds, and a stale,
/// corrupt or half-written file is a miss. The host facts come from recorded trees; the
/// "QEMU binary" is a file whose size and mtime the test controls.
/// </summary>
public class ProbeCacheTests
{
    // The answer this project's kvm_pvm machines give (runner caps, 2026-12-02).
    static readonly KvmGuestProbeResult PvmAnswer = new("host,-arch-capabilities",
        "-cpu host does not boot here (qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69); -cpu host,-arch-capabilities does",
        SseOutcome.Faults, "KVM internal error (emulation failure)");

    static QemuBinary FakeBinary(TempDir tmp, string content = "binary") =>
        new(tmp.File("bin/qemu-system-x86_64", content), "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)", new Version(7, 2, 22));

    static ProbeCacheKey Key(string tree, QemuBinary qemu, string build = "test-build") =>
        ProbeCacheKey.Compute(HostProbe.ProbeFiles(Fixtures.Tree(tree)), qemu, build);

    [Fact]
    public void TheKeyHoldsQemuKernelKvmParametersAndRunnerBuild()
    {
        using var tmp = new TempDir();
        var qemu = FakeBinary(tmp);
        var key = Key("kvm-pvm-host", qemu);
        var names = key.Parts.Select(p => p.Key).ToList();

        Assert.Contains("qemu.path", names);
        Assert.Contains("qemu.size", names);
        Assert.Contains("qemu.mtime", names);
        Assert.Contains("qemu.version", names);
        Assert.Contains("kernel.release", names);
        Assert.Contains("runner.build", names);
        Assert.Contains(names, n => n.StartsWith("kvm.param.kvm_pvm.", StringComparison.Ordinal));
        Assert.Empty(Key("kvm-pvm-host", qemu).ChangesFrom(key));
    }

    [Fact]
    public void AnotherKernelAndModuleSetAreNamedAsChanges()
    {
        using var tmp = new TempDir();
        var tree = Path.Combine(tmp.Path, "tree");
        CopyTree(Fixtures.Tree("kvm-pvm-host"), tree);
        var qemu = FakeBinary(tmp);
        var before = ProbeCacheKey.Compute(HostProbe.ProbeFiles(tree), qemu, "b");
        Directory.CreateDirectory(Path.Combine(tree, "proc", "sys", "kernel"));
        File.WriteAllText(Path.Combine(tree, "proc", "sys", "kernel", "osrelease"), "6.12.117+deb12-amd64\n");

        var changes = ProbeCacheKey.Compute(HostProbe.ProbeFiles(tree), qemu, "b").ChangesFrom(before);
        var otherHost = Key("intel-apicv-ipiv", qemu, "b").ChangesFrom(before);

        Assert.Equal(["kernel.release unknown -> 6.12.117+deb12-amd64"], changes);
        Assert.Contains(otherHost, c => c.StartsWith("kvm.modules kvm kvm_pvm -> ", StringComparison.Ordinal));
        Assert.Contains(otherHost, c => c == "kvm.param.kvm_pvm.no_x2apic is gone");
    }

    [Fact]
    public void ADefiniteAnswerRoundTrips()
    {
        using var tmp = new TempDir();
        var cache = new ProbeCache(Path.Combine(tmp.Path, "cache"));
        var key = Key("kvm-pvm-host", FakeBinary(tmp));

        Assert.Equal(ProbeCacheState.Missing, cache.Read(key).State);
        Assert.True(cache.Write(key, PvmAnswer, new DateTime(2026, 12, 2, 1, 0, 0, DateTimeKind.Utc)));
        var hit = cache.Read(key);

        Assert.Equal(ProbeCacheState.Hit, hit.State);
        Assert.Equal(PvmAnswer, hit.Result);
        Assert.Equal("probed 2026-12-02 01:00:00 UTC", hit.Detail);
    }

    [Fact]
    public void AnAnswerThatIsNotDefiniteIsNeverWritten()
    {
        using var tmp = new TempDir();
        var cache = new ProbeCache(Path.Combine(tmp.Path, "cache"));
        var key = Key("kvm-pvm-host", FakeBinary(tmp));
        var timedOut = new KvmGuestProbeResult(null, "no KVM guest booted: -cpu host: killed after 5 s", SseOutcome.Unknown, "the probe guest never ran");

        Assert.False(cache.Write(key, timedOut, DateTime.UtcNow));
        Assert.Equal(ProbeCacheState.Missing, cache.Read(key).State);
    }

    [Fact]
    public void ARebuiltQemuMakesTheCacheStale()
    {
        using var tmp = new TempDir();
        var cache = new ProbeCache(Path.Combine(tmp.Path, "cache"));
        var qemu = FakeBinary(tmp);
        cache.Write(Key("kvm-pvm-host", qemu), PvmAnswer, DateTime.UtcNow);

        var rebuilt = FakeBinary(tmp, "another, longer binary");
        File.SetLastWriteTimeUtc(rebuilt.Path, DateTime.UtcNow.AddMinutes(1));
        var lookup = cache.Read(Key("kvm-pvm-host", rebuilt));

        Assert.Equal(ProbeCacheState.Stale, lookup.State);
        Assert.Contains("qemu.size", lookup.Detail);
        Assert.Contains("qemu.mtime", lookup.Detail);
        Assert.Null(lookup.Result);
    }

    [Fact]
    public void AChangedKvmParameterMakesTheCacheStale()
    {
        using var tmp = new TempDir();
        var tree = Path.Combine(tmp.Path, "tree");
        CopyTree(Fixtures.Tree("kvm-pvm-host"), tree);
        var cache = new ProbeCache(Path.Combine(tmp.Path, "cache"));
        var qemu = FakeBinary(tmp);
        var before = ProbeCacheKey.Compute(HostProbe.ProbeFiles(tree), qemu, "b");
        cache.Write(before, PvmAnswer, DateTime.UtcNow);

        var param = Path.Combine(tree, "sys", "module", "kvm_pvm", "parameters", "no_x2apic");
        File.WriteAllText(param, File.ReadAllText(param).Trim() == "N" ? "Y\n" : "N\n");
        var lookup = cache.Read(ProbeCacheKey.Compute(HostProbe.ProbeFiles(tree), qemu, "b"));

        Assert.Equal(ProbeCacheState.Stale, lookup.State);
        Assert.Contains("kvm.param.kvm_pvm.no_x2apic", lookup.Detail);
    }

    [Fact]
    public void AnotherRunnerBuildUsesAnotherFile()
    {
        using var tmp = new TempDir();
        var cache = new ProbeCache(Path.Combine(tmp.Path, "cache"));
        var qemu = FakeBinary(tmp);
        cache.Write(Key("kvm-pvm-host", qemu, "build-1"), PvmAnswer, DateTime.UtcNow);

        Assert.Equal(ProbeCacheState.Missing, cache.Read(Key("kvm-pvm-host", qemu, "build-2")).State);
        Assert.NotEqual(cache.PathFor(Key("kvm-pvm-host", qemu, "build-1")), cache.PathFor(Key("kvm-pvm-host", qemu, "build-2")));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("format")]
    [InlineData("sse")]
    [InlineData("duplicate")]
    [InlineData("empty")]
    public void ACorruptFileIsAMissNeverAGuess(string damage)
    {
        using var tmp = new TempDir();
        var cache = new ProbeCache(Path.Combine(tmp.Path, "cache"));
        var key = Key("kvm-pvm-host", FakeBinary(tmp));
        cache.Write(key, PvmAnswer, DateTime.UtcNow);
        var path = cache.PathFor(key);
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, damage switch
        {
            "garbage" => ["\u0000\u0001 not a cache file"],
            "truncated" => lines[..^2],
            "format" => lines.Select(l => l == "format = 1" ? "format = 99" : l),
            "sse" => lines.Select(l => l.StartsWith("result sse = ", StringComparison.Ordinal) ? "result sse = Maybe" : l),
            "duplicate" => [.. lines, lines[^1]],
            _ => [],
        });

        var lookup = cache.Read(key);

        Assert.Equal(ProbeCacheState.Corrupt, lookup.State);
        Assert.Null(lookup.Result);
    }

    static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
