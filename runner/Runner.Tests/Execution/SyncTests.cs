using System.Diagnostics;
using Runner.Execution;
using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Tests.Support;

namespace Runner.Tests.Execution;

/// <summary>
/// `#kt sync`: a fake guest (a shell script in QEMU's place) prints a sync line and waits for a
/// line on stdin, as the ipi kernel waits for a byte on its serial input. The runner must read
/// the counters first, then release it, in order, and never leave it waiting.
/// </summary>
public class SyncTests
{
    static readonly ProcessLimits Limits = new(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

    // Waits at most 5 s per sync, like the guest; says what it got so the test sees the answer arrived.
    const string FakeGuest =
        "echo '#kt begin ipi 2'\n" +
        "echo '#kt sync measure-begin'\n" +
        "if read -r answer; then echo \"released [$answer]\"; else echo '#kt check fail report.sync no answer'; exit 3; fi\n" +
        "echo 'timed batch'\n" +
        "echo '#kt sync measure-end'\n" +
        "if read -r answer; then echo \"released [$answer]\"; else echo '#kt check fail report.sync no answer'; exit 3; fi\n" +
        "echo '#kt check pass ipi.ok'\n" +
        "echo '#kt end 1 0 0'\n" +
        "exit 1";

    [Fact]
    public async Task ReadsCountersAtEachSyncThenReleasesTheGuest()
    {
        using var tmp = new TempDir();
        var script = tmp.Script("guest", FakeGuest);
        var order = new List<string>();
        await using var session = new SyncSession((tag, _) =>
        {
            lock (order) order.Add($"read {tag}");
            return Task.FromResult(new KvmCounters { Vcpu = new Dictionary<string, long> { ["exits"] = tag == "measure-begin" ? 100 : 250 } });
        }, readAtEnd: false);
        var clock = Stopwatch.StartNew();

        var r = await ProcessRunner.RunAsync([script], Limits, line => { if (line.Stream == OutputStream.Stdout) lock (order) order.Add(line.Text); },
            interaction: session.Interaction);

        Assert.Equal(1, r.ExitStatus);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: the guest waited for an answer");
        Assert.Equal(["#kt begin ipi 2", "#kt sync measure-begin", "read measure-begin", "released []", "timed batch",
                      "#kt sync measure-end", "read measure-end", "released []", "#kt check pass ipi.ok", "#kt end 1 0 0"], order);
        Assert.Equal(["measure-begin", "measure-end"], session.Readings.Select(x => x.Tag));
        Assert.Equal(150, KvmCounters.Delta(session.Readings[0].Counters, session.Readings[1].Counters).Vcpu["exits"]);
        // The log shows the runner's side of the exchange.
        Assert.Equal(2, r.Lines.Count(l => l.Stream == OutputStream.Runner && l.Text.StartsWith("answered \"#kt sync", StringComparison.Ordinal)));
        Assert.Equal(Outcome.Pass, VerdictJudge.Judge(new RunEvidence { Stdout = r.Stdout, ExitStatus = r.ExitStatus }).Outcome);
    }

    [Fact]
    public async Task WithoutCountersTheGuestIsStillReleased()
    {
        using var tmp = new TempDir();
        var script = tmp.Script("guest", FakeGuest);
        await using var session = new SyncSession(null, "KVM counters were not requested", readAtEnd: false);

        var r = await ProcessRunner.RunAsync([script], Limits, interaction: session.Interaction);

        Assert.Contains("released []", r.Stdout);
        Assert.DoesNotContain(r.Stdout, l => l.Contains("check fail"));
        Assert.All(session.Readings, x => Assert.Equal("unavailable: KVM counters were not requested", x.Counters.Unavailable));
    }

    [Fact]
    public async Task AFailingCounterReadStillReleasesTheGuest()
    {
        using var tmp = new TempDir();
        var script = tmp.Script("guest", FakeGuest);
        await using var session = new SyncSession((_, _) => throw new InvalidOperationException("qmp exploded"), readAtEnd: false);

        var r = await ProcessRunner.RunAsync([script], Limits, interaction: session.Interaction);

        Assert.Equal(2, r.Stdout.Count(l => l == "released []"));
        Assert.Contains(r.Lines, l => l.Stream == OutputStream.Runner && l.Text.Contains("qmp exploded"));
    }

    [Fact]
    public async Task WithoutAnInteractionAGuestWaitingForSyncTimesOutItself()
    {
        // The control for the tests above: nobody answers, stdin stays open, so the fake guest
        // waits until the idle limit ends it. The "released" lines above came from our answers.
        using var tmp = new TempDir();
        var script = tmp.Script("guest", FakeGuest);

        var r = await ProcessRunner.RunAsync([script], new ProcessLimits(TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(10)));

        Assert.Equal(Termination.IdleTimeout, r.Termination);
        Assert.DoesNotContain("released []", r.Stdout);
    }

    [Fact]
    public async Task ReadsAtEndWhenAskedAndNumbersRepeatedTags()
    {
        using var tmp = new TempDir();
        var script = tmp.Script("guest",
            "echo '#kt begin k 1'; echo '#kt sync x'; read -r a; echo '#kt sync x'; read -r a; echo '#kt check pass c'; echo '#kt end 1 0 0'; exit 1");
        await using var session = new SyncSession((tag, _) => Task.FromResult(new KvmCounters()), readAtEnd: true);

        await ProcessRunner.RunAsync([script], Limits, interaction: session.Interaction);

        Assert.Equal(["x", "x#2", SyncSession.EndTag], session.Readings.Select(r => r.Tag));
    }

    [Fact]
    public async Task ThePlainRunAnswersSyncLinesToo()
    {
        // `runner run` without --kvm-stats: a config that passes sync=1 must not hang its guest.
        using var tmp = new TempDir();
        tmp.File("build/ipi.elf", "");
        var qemu = tmp.Script("fake-qemu", FakeGuest);
        var settings = new RunSettings
        {
            Paths = Runner.Workspace.ProjectPaths.For(tmp.Path, null),
            Caps = Runner.Host.HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")),
            QemuPath = qemu,
        };
        var entry = Runner.Config.UnitTestsParser.Parse("[ipi]\nsmp = 2\nappend = sync=1\n", "f").Single();

        var r = await TestExecutor.RunAsync(entry, settings);

        Assert.Equal(Outcome.Pass, r.Outcome);
        Assert.Null(r.KvmReadings);
        Assert.Contains(r.Output, l => l.Text == "released []");
        Assert.Contains("[runner] answered \"#kt sync measure-end\"", File.ReadAllText(r.LogPath!));
    }

    [Fact]
    public async Task KvmStatsUnderTcgSayWhyThereAreNoCounters()
    {
        using var tmp = new TempDir();
        tmp.File("build/ipi.elf", "");
        var qemu = tmp.Script("fake-qemu", FakeGuest);
        var settings = new RunSettings
        {
            Paths = Runner.Workspace.ProjectPaths.For(tmp.Path, null),
            Caps = Runner.Host.HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")),
            QemuPath = qemu,
            ForcedAccel = Runner.Config.AccelMode.Tcg,
            KvmStats = true,
        };
        var entry = Runner.Config.UnitTestsParser.Parse("[ipi]\nsmp = 2\n", "f").Single();

        var r = await TestExecutor.RunAsync(entry, settings);

        Assert.NotNull(r.KvmReadings);
        var end = KvmReading.Find(r.KvmReadings, SyncSession.EndTag);
        Assert.Equal("unavailable: " + TestExecutor.TcgNoCounters, end!.Unavailable);
        Assert.Equal("unavailable: " + TestExecutor.TcgNoCounters, KvmReading.Find(r.KvmReadings, "measure-begin")!.Unavailable);
    }
}
