using System.Diagnostics;
using System.Xml.Linq;
using Runner.Tests.Support;

namespace Runner.Tests.Cli;

/// <summary>The runner as a process: bad input gives one line and exit 2, runs give exit 0/1, and no QEMU outlives it.</summary>
public class CliTests
{
    sealed class Checkout : IDisposable
    {
        public readonly TempDir Dir = new();
        public string PidFile => Path.Combine(Dir.Path, "qemu.pid");
        public string ArgsFile => Path.Combine(Dir.Path, "qemu.args");

        public Checkout(string cfg = "[selftest]\ngroups = base\n[other]\nfile = selftest\ngroups = extra\n")
        {
            Dir.File("Runner.sln", "");
            Dir.File("tests/unittests.cfg", cfg);
            Dir.File("build/selftest.elf", "");
        }

        /// <summary>A QEMU stand-in that answers --version, then prints the transcript (or hangs).</summary>
        public string Qemu(string[]? transcript, int status = 1) => Dir.Script("qemu",
            "if [ \"$1\" = --version ]; then echo 'QEMU emulator version 7.2.0 (fake)'; exit 0; fi\n" +
            $"echo \"$@\" > {ArgsFile}\n" +
            $"echo $$ > {PidFile}\n" +
            (transcript is null
                ? "echo booting\nexec sleep 100"
                : string.Concat(transcript.Select(l => $"echo '{l}'\n")) + $"exit {status}"));

        public Dictionary<string, string> Env(string qemu) => new() { ["RUNNER_QEMU"] = qemu };

        public void Dispose() => Dir.Dispose();
    }

    static void AssertOneLineError(string err, string expected)
    {
        Assert.Equal($"runner: {expected}", err.TrimEnd('\n'));
        Assert.DoesNotContain("   at ", err);
    }

    static string QmpSocketOf(Checkout c)
    {
        var args = File.ReadAllText(c.ArgsFile).Split(' ');
        var qmp = args[Array.IndexOf(args, "-qmp") + 1];
        return qmp["unix:".Length..qmp.IndexOf(',')];
    }

    [Fact]
    public async Task UnknownTestNameListsValidNames()
    {
        using var c = new Checkout();
        var (code, _, err) = await RunnerProcess.RunAsync(c.Dir.Path, ["run", "selftset"], c.Env(c.Qemu([])));
        Assert.Equal(2, code);
        AssertOneLineError(err, "unknown test 'selftset': valid names are selftest, other");
    }

    [Fact]
    public async Task UnknownGroupListsValidGroups()
    {
        using var c = new Checkout();
        var (code, _, err) = await RunnerProcess.RunAsync(c.Dir.Path, ["run", "-g", "nope"], c.Env(c.Qemu([])));
        Assert.Equal(2, code);
        AssertOneLineError(err, "unknown group 'nope': valid groups are base, extra");
    }

    [Fact]
    public async Task MissingKernelSaysRunMake()
    {
        using var c = new Checkout("[apic]\n");
        var (code, _, err) = await RunnerProcess.RunAsync(c.Dir.Path, ["run"], c.Env(c.Qemu([])));
        Assert.Equal(2, code);
        AssertOneLineError(err, "build/apic.elf not found: run `make`");
    }

    [Fact]
    public async Task MissingQemuSaysWhatToInstall()
    {
        using var c = new Checkout();
        var env = new Dictionary<string, string> { ["PATH"] = Path.Combine(c.Dir.Path, "empty-bin") };
        var (code, _, err) = await RunnerProcess.RunAsync(c.Dir.Path, ["run"], env);
        Assert.Equal(2, code);
        AssertOneLineError(err, "qemu-system-x86_64 not found: apt-get install qemu-system-x86");
    }

    [Fact]
    public async Task BadConfigNamesFileAndLine()
    {
        using var c = new Checkout("[selftest]\nsmp = lots\n");
        var (code, _, err) = await RunnerProcess.RunAsync(c.Dir.Path, ["list"]);
        Assert.Equal(2, code);
        AssertOneLineError(err, "tests/unittests.cfg:2: smp = 'lots': expected a whole number from 1 to 64 (the test kernels support at most 64 vCPUs)");
    }

    [Fact]
    public async Task ListChecksTheErrataToo()
    {
        using var c = new Checkout();
        c.Dir.File("tests/errata.cfg", "[some-bug]\ntest = nosuchtest\ncheck = x.y\nwhen = accel=kvm\nreason = r\n");
        var (code, _, err) = await RunnerProcess.RunAsync(c.Dir.Path, ["list"]);
        Assert.Equal(2, code);
        Assert.StartsWith("runner: tests/errata.cfg:2: ", err);
        Assert.Contains("nosuchtest", err);
    }

    [Fact]
    public async Task ListCountsTheErrataNamingEachTest()
    {
        using var c = new Checkout();
        c.Dir.File("tests/errata.cfg", "[a]\ntest = selftest\ncheck = x.y\nwhen = accel=kvm\nreason = r\n[b]\ntest = self*\ncheck = x.z\nwhen = accel=tcg\nreason = r\n");
        var (code, output, _) = await RunnerProcess.RunAsync(c.Dir.Path, ["list"]);
        Assert.Equal(0, code);
        var row = output.Split('\n').Single(l => l.TrimStart().StartsWith("selftest ", StringComparison.Ordinal));
        Assert.EndsWith("2", row.TrimEnd());
    }

    [Fact]
    public async Task BadOptionIsExitTwo()
    {
        using var c = new Checkout();
        var (code, _, err) = await RunnerProcess.RunAsync(c.Dir.Path, ["run", "--accel", "hvf"]);
        Assert.Equal(2, code);
        Assert.StartsWith("runner: ", err);
        Assert.Contains("hvf", err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task ListPrintsTheTable()
    {
        using var c = new Checkout();
        var (code, output, _) = await RunnerProcess.RunAsync(c.Dir.Path, ["list"]);
        Assert.Equal(0, code);
        Assert.Contains("selftest", output);
        Assert.Contains("base", output);
        Assert.Contains("requires", output);
    }

    [Fact]
    public async Task PassingRunExitsZeroAndWritesTapAndJUnit()
    {
        using var c = new Checkout();
        var junit = Path.Combine(c.Dir.Path, "out", "junit.xml");
        var (code, output, err) = await RunnerProcess.RunAsync(c.Dir.Path,
            ["run", "selftest", "--accel", "tcg", "--tap", "--junit", junit], c.Env(c.Qemu(Transcripts.SelftestPass)));

        Assert.True(code == 0, err);
        Assert.StartsWith("TAP version 13\n1..1\nok 1 - selftest\n", output);
        Assert.Contains("1 passed, 0 failed, 0 skipped", err);
        Assert.Equal(1 + 7, XDocument.Load(junit).Descendants("testcase").Count());
        Assert.True(File.Exists(Path.Combine(c.Dir.Path, "build", "logs", "latest", "selftest.log")));
    }

    [Fact]
    public async Task FailingRunExitsOneWithReasonAndSummary()
    {
        using var c = new Checkout();
        var (code, output, _) = await RunnerProcess.RunAsync(c.Dir.Path, ["run", "--accel", "tcg"], c.Env(c.Qemu(Transcripts.SelftestTcgFail, 3)));

        Assert.Equal(1, code);
        Assert.Contains("FAIL    selftest (tcg, ", output);
        Assert.Contains("2 of 4 checks failed, first msr.reserved_read_gp", output);
        Assert.EndsWith("0 passed, 2 failed, 0 skipped\n", output);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", -1)]
    public async Task SignalsLeaveNoQemuBehind(string signal, int expectedCode)
    {
        using var c = new Checkout();
        using var runner = RunnerProcess.Start(c.Dir.Path, ["run", "selftest", "--accel", "tcg"], c.Env(c.Qemu(null)));
        var drainOut = runner.StandardOutput.ReadToEndAsync();
        var drainErr = runner.StandardError.ReadToEndAsync();

        var qemuPid = await Fixtures.WaitForPidFile(c.PidFile, TimeSpan.FromSeconds(30));
        Assert.True(Fixtures.ProcessAlive(qemuPid));
        using (var kill = Process.Start("kill", ["-" + signal, runner.Id.ToString()]))
            await kill.WaitForExitAsync();
        await runner.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(100);

        Assert.False(Fixtures.ProcessAlive(qemuPid), $"QEMU stand-in {qemuPid} survived SIG{signal}");
        var qmpDir = Path.GetDirectoryName(QmpSocketOf(c))!;
        Assert.False(Directory.Exists(qmpDir), $"scratch folder {qmpDir} left behind after SIG{signal}");
        if (expectedCode >= 0)
        {
            Assert.Equal(expectedCode, runner.ExitCode);
            Assert.Contains("interrupted", await drainErr);
        }
        _ = await drainOut;
    }
}
