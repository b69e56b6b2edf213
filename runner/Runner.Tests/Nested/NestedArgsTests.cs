using Runner.Nested;

namespace Runner.Tests.Nested;

public class NestedArgsTests
{
    [Fact]
    public void OuterOptionsAreDroppedAndOutputFilesGoThroughTheResultsShare()
    {
        var args = NestedArgs.Rewrite(
            ["run", "-g", "nested", "--host-kernel", "debian-6.12", "--host-kvm-param=kvm_amd.avic=1", "--junit", "out/k.xml", "--json=r.json"],
            "/b/nested/run-1", "/work");

        Assert.Equal(["run", "-g", "nested", "--junit", "/b/nested/run-1/output-0.xml", "--json", "/b/nested/run-1/output-1.json"], args.Inner);
        Assert.Equal([("/b/nested/run-1/output-0.xml", "/work/out/k.xml"), ("/b/nested/run-1/output-1.json", "/work/r.json")], args.Outputs);
    }

    [Fact]
    public void APlotIsAnOutputFileToo()
    {
        var args = NestedArgs.Rewrite(["vmexit", "--runs", "1", "--plot", "v.svg", "--host-kernel", "debian-6.12"], "/b/nested/run-2", "/work");

        Assert.Equal(["vmexit", "--runs", "1", "--plot", "/b/nested/run-2/output-0.svg"], args.Inner);
        Assert.Equal([("/b/nested/run-2/output-0.svg", "/work/v.svg")], args.Outputs);
    }

    [Theory]
    [InlineData("run", new[] { "run", "selftest" })]
    [InlineData("ipi", new[] { "--host-kernel", "debian-6.1", "ipi", "--runs", "3" })]
    [InlineData("caps", new[] { "--root", "/r", "caps" })]
    public void TheCommandIsTheFirstWordThatIsNoOptionValue(string expected, string[] args) =>
        Assert.Equal(expected, NestedArgs.Command(args));
}

public class KvmParamsTests
{
    [Fact]
    public void ParametersAreGroupedByModule()
    {
        var p = KvmParams.Parse(["kvm_amd.avic=1", "kvm-amd.force_avic=1", "kvm.halt_poll_ns=0"]);
        Assert.Equal(["avic=1", "force_avic=1"], p["kvm_amd"]);
        Assert.Equal(["halt_poll_ns=0"], p["kvm"]);
    }

    [Theory]
    [InlineData("avic=1", "expected MODULE.PARAM=VALUE")]
    [InlineData("kvm_amd.avic", "expected MODULE.PARAM=VALUE")]
    [InlineData("kvm_pvm.no_x2apic=1", "not one of kvm, kvm_amd, kvm_intel")]
    [InlineData("kvm_amd.avic=1;reboot", "expected MODULE.PARAM=VALUE")]
    public void BadParametersAreOneLineErrors(string value, string message)
    {
        var e = Assert.Throws<UserErrorException>(() => KvmParams.Parse([value]));
        Assert.Contains(message, e.Message);
    }
}

public class HostKernelSpecTests
{
    [Fact]
    public void DebianSeriesAreNamed()
    {
        Assert.Equal(new HostKernelSpec.Debian("6.12"), HostKernelSpec.Parse("debian-6.12", null, "/"));
        Assert.Equal(new HostKernelSpec.Debian("6.1"), HostKernelSpec.Parse("debian-6.1", null, "/"));
    }

    [Fact]
    public void AnUnknownSeriesNamesTheKnownOnes()
    {
        var e = Assert.Throws<UserErrorException>(() => HostKernelSpec.Parse("debian-5.10", null, "/"));
        Assert.Contains("debian-6.1 and debian-6.12", e.Message);
    }

    [Fact]
    public void AMissingImageIsAnError()
    {
        var e = Assert.Throws<UserErrorException>(() => HostKernelSpec.Parse("no/such/bzImage", null, "/tmp"));
        Assert.Contains("no such file", e.Message);
    }

    [Fact]
    public void AModulesFolderMustLookLikeOne()
    {
        using var tmp = new Support.TempDir();
        var image = tmp.File("bzImage", "x");
        var e = Assert.Throws<UserErrorException>(() => HostKernelSpec.Parse(image, tmp.Path, "/"));
        Assert.Contains("not a modules folder", e.Message);
        Assert.Equal(new HostKernelSpec.Image(image, null), HostKernelSpec.Parse(image, null, "/"));
    }
}

public class VersionOrderTests
{
    [Fact]
    public void NumbersCompareAsNumbers()
    {
        string[] names = ["linux-image-6.12.101+deb12-amd64", "linux-image-6.12.117+deb12-amd64", "linux-image-6.12.99+deb12-amd64"];
        Assert.Equal("linux-image-6.12.117+deb12-amd64", names.MaxBy(n => n, VersionOrder.Instance));
        Assert.True(VersionOrder.Instance.Compare("linux-image-6.1.0-57-amd64", "linux-image-6.1.0-9-amd64") > 0);
    }
}
