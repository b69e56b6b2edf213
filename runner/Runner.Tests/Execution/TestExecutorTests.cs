using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Tests.Support;
using Runner.Workspace;

namespace Runner.Tests.Execution;

/// <summary>One test end to end, with a script in QEMU's place that records its argv and prints a recorded transcript.</summary>
public class TestExecutorTests
{
    sealed class Tree : IDisposable
    {
        public readonly TempDir Dir = new();
        public ProjectPaths Paths => ProjectPaths.For(Dir.Path, null);
        public string ArgsFile => Path.Combine(Dir.Path, "argv.txt");

        public string FakeQemu(string[] stdout, int status) => Dir.Script("fake-qemu",
            $"for a in \"$@\"; do echo \"$a\"; done > {ArgsFile}\n" +
            string.Concat(stdout.Select(l => $"echo '{l}'\n")) + $"exit {status}");

        public void Dispose() => Dir.Dispose();
    }

    static HostCaps PvmCaps => HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host"));

    static TestEntry Entry(string cfg) => UnitTestsParser.Parse(cfg, "f").Single();

    [Fact]
    public async Task RunsJudgesAndLogs()
    {
        using var t = new Tree();
        t.Dir.File("build/selftest.elf", "");
        var qemu = t.FakeQemu(Transcripts.SelftestPass, 1);
        var settings = new RunSettings { Paths = t.Paths, Caps = PvmCaps, QemuPath = qemu };

        var r = await TestExecutor.RunAsync(Entry("[selftest]\nappend = mode=fast\n"), settings);

        Assert.Equal(Outcome.Pass, r.Outcome);
        Assert.Equal(AccelKind.Kvm, r.Accel.Accel);
        var passed = File.ReadAllLines(t.ArgsFile);
        Assert.Equal(r.Argv!.Skip(1), passed);
        Assert.Contains("cpus=1 mode=fast", passed);
        Assert.Contains(Path.Combine(t.Dir.Path, "build", "selftest.elf"), passed);

        Assert.Equal(Path.Combine(t.Dir.Path, "build", "logs", "selftest.log"), r.LogPath);
        var log = File.ReadAllText(r.LogPath!);
        Assert.Contains("# command: " + qemu + " -M microvm", log);
        Assert.Contains("#kt end 6 0 1", log);
        Assert.Contains("# verdict: PASS", log);
    }

    [Fact]
    public async Task ErrataTurnFailuresIntoXFailForMatchingHostsOnly()
    {
        using var t = new Tree();
        t.Dir.File("build/selftest.elf", "");
        var errata = ErrataParser.Parse("[e]\ntest = selftest\ncheck = msr.reserved_*\nwhen = accel=tcg\nreason = TCG reads reserved MSRs\n", "e");
        var settings = new RunSettings { Paths = t.Paths, Caps = PvmCaps, QemuPath = t.FakeQemu(Transcripts.SelftestTcgFail, 3), Errata = errata };

        var underTcg = await TestExecutor.RunAsync(Entry("[selftest]\naccel = tcg\n"), settings);
        var underKvm = await TestExecutor.RunAsync(Entry("[selftest]\naccel = kvm\n"), settings);

        Assert.Equal(Outcome.XFail, underTcg.Outcome);
        Assert.Contains("TCG reads reserved MSRs", underTcg.Verdict.Reason);
        Assert.Equal(Outcome.Fail, underKvm.Outcome);
    }

    [Fact]
    public async Task UnmetRequirementSkipsWithoutStartingQemu()
    {
        using var t = new Tree();
        t.Dir.File("build/ipiv.elf", "");
        var settings = new RunSettings { Paths = t.Paths, Caps = PvmCaps, QemuPath = t.FakeQemu([], 1) };

        var r = await TestExecutor.RunAsync(Entry("[ipiv]\nrequires = ipiv\n"), settings);

        Assert.Equal(Outcome.Skip, r.Outcome);
        Assert.StartsWith("requires ipiv: host KVM module is kvm_pvm", r.Verdict.Reason);
        Assert.False(File.Exists(t.ArgsFile), "QEMU was started for a skipped test");
        Assert.Null(r.Argv);
    }

    [Fact]
    public async Task MissingKernelIsAUserError()
    {
        using var t = new Tree();
        var settings = new RunSettings { Paths = t.Paths, Caps = PvmCaps, QemuPath = t.FakeQemu([], 1) };

        var e = await Assert.ThrowsAsync<UserErrorException>(() => TestExecutor.RunAsync(Entry("[apic]\n"), settings));
        Assert.Equal("build/apic.elf not found: run `make`", e.Message);
    }

    [Fact]
    public async Task SuiteRunsInParallelAndKeepsConfigOrder()
    {
        using var t = new Tree();
        t.Dir.File("build/selftest.elf", "");
        // Each fake QEMU announces itself, then waits (bounded) until all three have
        // started: run one at a time, the first would give up and fail. No wall-clock
        // assertion, so a loaded machine cannot make this test flaky.
        var marks = System.IO.Path.Combine(t.Dir.Path, "marks");
        Directory.CreateDirectory(marks);
        var meeting = t.Dir.Script("meeting-qemu",
            $"touch '{marks}/'$$\n" +
            $"for i in $(seq 200); do [ $(ls '{marks}' | wc -l) -ge 3 ] && break; sleep 0.05; done\n" +
            $"[ $(ls '{marks}' | wc -l) -ge 3 ] || exit 7\n" +
            string.Concat(Transcripts.SelftestPass.Select(l => $"echo '{l}'\n")) + "exit 1");
        var settings = new RunSettings { Paths = t.Paths, Caps = PvmCaps, QemuPath = meeting };
        var entries = UnitTestsParser.Parse("[a]\nfile = selftest\n[b]\nfile = selftest\n[c]\nfile = selftest\n", "f");

        var results = await SuiteRunner.RunAsync(entries, settings, jobs: 3);

        Assert.Equal(["a", "b", "c"], results.Select(r => r.Entry.Name));
        Assert.All(results, r => Assert.Equal(Outcome.Pass, r.Outcome));
    }

    [Theory]
    [InlineData(1.0, null)]
    [InlineData(0.5, null)]
    [InlineData(12.4, "timescale=13")]
    [InlineData(100.0, "timescale=40")]
    public void OnlyASlowHostPassesItsTimeScaleToTheGuest(double scale, string? expected) =>
        Assert.Equal(expected, TestExecutor.TimeScaleArgument(scale));
}
