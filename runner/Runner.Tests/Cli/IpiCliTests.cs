using Runner.Bench;
using Runner.Cli;
using Runner.Host;
using Runner.Reporting;
using Runner.Tests.Bench;
using Runner.Tests.Support;

namespace Runner.Tests.Cli;

/// <summary>`runner ipi` and `runner compare` input checking: one line, exit 2, before anything boots.</summary>
public class IpiCliTests
{
    static async Task<(int Code, string Err)> Run(params string[] args)
    {
        var err = new StringWriter();
        var code = await RunnerCli.RunAsync(args, err);
        return (code, err.ToString().TrimEnd('\n'));
    }

    static TempDir Checkout(bool image = true)
    {
        var t = new TempDir();
        t.File("Runner.sln", "");
        t.File("tests/unittests.cfg", "[ipi]\nfile = ipi\nsmp = 2\n");
        if (image) t.File("build/ipi.elf", "");
        return t;
    }

    [Theory]
    [InlineData("runner: --no-apicv with --compare-ipiv (the default) is contradictory: IPIv works only on top of APICv; add --no-ipiv to measure without APICv", "--no-apicv")]
    [InlineData("runner: --no-apicv with --ipiv is contradictory: IPIv works only on top of APICv", "--no-apicv", "--ipiv")]
    [InlineData("runner: --kind unicast needs a second vCPU to send to: use --cpus 2 or more (or --kind self)", "--cpus", "1")]
    [InlineData("runner: --kind pv needs a second vCPU to send to: use --cpus 2 or more (or --kind self)", "--kind", "pv", "--cpus", "1")]
    [InlineData("runner: --halt with --kind self: the sender is its own target and cannot halt while it sends; drop --halt", "--kind", "self", "--halt")]
    public async Task ContradictionsAreRefusedBeforeBooting(string expected, params string[] args)
    {
        using var t = Checkout();
        var (code, err) = await Run(["ipi", "--root", t.Path, .. args]);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Equal(expected, err);
    }

    [Theory]
    [InlineData("give one of --xapic, --x2apic, --both", "--xapic", "--x2apic")]
    [InlineData("give one of --ipiv, --no-ipiv, --compare-ipiv", "--ipiv", "--no-ipiv")]
    [InlineData("give --apicv or --no-apicv, not both", "--apicv", "--no-apicv")]
    [InlineData("--iters must be auto or 1 to 100000, not '0'", "--iters", "0")]
    [InlineData("--runs expects a whole number from 1 to 1000, got '0'", "--runs", "0")]
    [InlineData("Argument 'multicast' not recognized. Must be one of: 'unicast' 'self' 'broadcast' 'pv'", "--kind", "multicast")]
    [InlineData("--send must be icr, pv or icr,pv, not 'icr,mmio'", "--send", "icr,mmio")]
    public async Task BadOptionsAreOneLine(string expected, params string[] args)
    {
        var (code, err) = await Run(["ipi", .. args]);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Equal($"runner: {expected}: see `runner --help`", err);
    }

    [Fact]
    public async Task AMissingImageNamesTheBuildStep()
    {
        using var t = Checkout(image: false);
        var (code, err) = await Run("ipi", "--root", t.Path);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Equal("runner: build/ipi.elf not found: run `make kernels`", err);
    }

    [Fact]
    public async Task AMissingIpiEntryIsNamed()
    {
        using var t = Checkout();
        File.WriteAllText(Path.Combine(t.Path, "tests/unittests.cfg"), "[selftest]\n");
        var (code, err) = await Run("ipi", "--root", t.Path);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Equal("runner: tests/unittests.cfg has no [ipi] entry: add one (file = ipi, smp = 2)", err);
    }

    [Fact]
    public void DefaultsAreBothModesAndTheIpivComparison()
    {
        var parsed = IpiCommand.Create(new GlobalOptions()).Parse([]);
        Assert.Empty(parsed.Errors);
        var r = IpiCommand.RequestFrom(parsed);
        Assert.Equal([ApicMode.XApic, ApicMode.X2Apic], r.Modes);
        Assert.Equal([false, true], r.Ipiv);
        Assert.Equal(Want.Any, r.Apicv);
        Assert.Equal(IpiKind.Unicast, r.Kind);
        Assert.False(r.Halt);
        Assert.Equal(20, r.Runs);
        Assert.Equal(2, r.Cpus);
        Assert.Equal(1, r.Jobs);
        Assert.Null(r.Iterations);
        Assert.Null(r.Warmup);
        Assert.Null(r.Validate());
    }

    [Fact]
    public void OptionsOnTheCommandLineReachTheRequest()
    {
        var parsed = IpiCommand.Create(new GlobalOptions()).Parse(["--x2apic", "--no-ipiv", "--no-apicv", "--kind", "self", "--iters", "300", "--runs", "3", "--cpus", "1"]);
        Assert.Empty(parsed.Errors);
        var r = IpiCommand.RequestFrom(parsed);
        Assert.Equal([ApicMode.X2Apic], r.Modes);
        Assert.Equal([false], r.Ipiv);
        Assert.Equal(Want.Off, r.Apicv);
        Assert.Equal(IpiKind.Self, r.Kind);
        Assert.Equal(300, r.Iterations);
        Assert.Equal(3, r.Runs);
        Assert.Equal(1, r.Cpus);
        Assert.Null(r.Validate());
    }

    [Fact]
    public async Task CompareOfAMissingFileIsABadInputError()
    {
        using var t = new TempDir();
        var (code, err) = await Run("compare", Path.Combine(t.Path, "a.json"), Path.Combine(t.Path, "b.json"));

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Equal($"runner: {Path.Combine(t.Path, "a.json")}: no such file: pass a file written by `runner ipi --json`", err);
    }

    [Fact]
    public async Task CompareOfTwoReportsSucceeds()
    {
        using var t = new TempDir();
        var a = Path.Combine(t.Path, "a.json");
        var b = Path.Combine(t.Path, "b.json");
        await JsonFiles.WriteAsync(a, IpiFakes.Report(3, IpiFakes.Column(ApicMode.XApic, false, 6000, 6100, 6077)));
        await JsonFiles.WriteAsync(b, IpiFakes.Report(3, IpiFakes.Column(ApicMode.XApic, false, 4700, 4750, 4689)));

        var (code, err) = await Run("compare", a, b);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("", err);
    }
}
