using Runner.Host;
using Runner.Tests.Support;

namespace Runner.Tests.Host;

public class NestedHostTests
{
    static NestedHost Read(Dictionary<string, string> env, long l1Ns = 50_000_000) =>
        NestedHost.Read(name => env.GetValueOrDefault(name), () => l1Ns);

    [Fact]
    public void WithoutTheOuterRunnersWordThisIsNoL1()
    {
        var h = Read([]);
        Assert.False(h.IsL1);
        Assert.Equal(1, h.TimeScale);
        Assert.Equal("kvm_pvm, Linux 6.18.44", h.Where("kvm_pvm", "6.18.44"));
        Assert.Equal("", h.FiguresCaveat);
    }

    [Fact]
    public void AnL1UnderTcgSaysSoAndStretchesItsLimits()
    {
        var h = Read(new()
        {
            [NestedHost.AccelVariable] = "tcg",
            [NestedHost.OriginVariable] = "Debian package linux-image-6.12.117+deb12-amd64",
            [NestedHost.L0LoopVariable] = "10000000",
            [NestedHost.CommandVariable] = "runner run -g nested --host-kernel debian-6.12",
        });
        Assert.True(h.IsL1);
        Assert.Equal(5.0, h.TimeScale);
        Assert.Equal("kvm_amd, L1 Linux 6.12.117+deb12-amd64 under TCG", h.Where("kvm_amd", "6.12.117+deb12-amd64"));
        Assert.Contains("not comparable with hardware", h.FiguresCaveat);
        Assert.Equal(TimeSpan.FromSeconds(150), h.Stretch(TimeSpan.FromSeconds(30)));
        Assert.Equal("runner run -g nested --host-kernel debian-6.12", h.CommandLine);
    }

    [Theory]
    [InlineData(10_000_000, 5_000_000, 1.0)]
    [InlineData(10_000_000, 25_000_000, 2.5)]
    [InlineData(1_000_000, 100_000_000, NestedHost.MaxTimeScale)]
    public void TheScaleIsTheRatioNeverBelowOneAndCapped(long l0, long l1, double expected)
    {
        var (scale, detail) = NestedHost.ScaleFrom(l0, l1);
        Assert.Equal(expected, scale);
        Assert.StartsWith("time limits ×", detail);
    }

    [Fact]
    public void TheCalibrationMeasuresSomething() => Assert.True(CpuLoopCalibration.MeasureNanoseconds() > 0);
}

/// <summary>Hand-written sysfs/procfs trees (TempDir) for the L1 accelerator choice.</summary>
public class NestedVirtualizationTests
{
    static HostCaps Caps(TempDir tmp, string module, string flags, string? nested)
    {
        tmp.File("dev/kvm", "");
        tmp.File("proc/cpuinfo", $"processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: test\nflags\t\t: fpu {flags}\n");
        tmp.File($"sys/module/kvm/parameters/halt_poll_ns", "200000\n");
        if (nested is not null) tmp.File($"sys/module/{module}/parameters/nested", nested + "\n");
        else Directory.CreateDirectory(Path.Combine(tmp.Path, "sys/module", module));
        return HostProbe.ProbeFiles(tmp.Path);
    }

    [Fact]
    public void NestedKvmAmdLetsL1RunUnderKvm()
    {
        using var tmp = new TempDir();
        var accel = Runner.Nested.L1Accel.Choose(Caps(tmp, "kvm_amd", "svm npt", "1"));
        Assert.Equal("kvm", accel.Name);
        Assert.Equal(["-accel", "kvm", "-cpu", "host"], accel.QemuArgs);
    }

    [Fact]
    public void NestedOffMeansTcgAndSaysHowToTurnItOn()
    {
        using var tmp = new TempDir();
        var accel = Runner.Nested.L1Accel.Choose(Caps(tmp, "kvm_intel", "vmx", "N"));
        Assert.Equal("tcg", accel.Name);
        Assert.Contains("modprobe kvm_intel nested=1", accel.Why);
    }

    [Fact]
    public void KvmPvmCannotNest()
    {
        var caps = HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host"));
        var nested = NestedVirtualization.Probe(caps);
        Assert.False(nested.Available);
        Assert.Contains("kvm_pvm", nested.Detail);
    }
}
