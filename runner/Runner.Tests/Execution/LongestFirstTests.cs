using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Protocol;
using Runner.Qemu;
using Runner.Tests.Support;
using Runner.Workspace;

namespace Runner.Tests.Execution;

/// <summary>A parallel run starts the entries that took longest last time first; logs written by RunLogWriter are the history.</summary>
public class LongestFirstTests
{
    static readonly IReadOnlyList<TestEntry> Entries =
        UnitTestsParser.Parse("[a]\n[b]\n[c]\n[d]\n[e]\n", "f");

    static void Log(string runDir, string name, AccelKind accel, double seconds)
    {
        var entry = Entries.Single(e => e.Name == name);
        var result = new TestRunResult(entry, AccelDecision.Use(accel, "test"), new Verdict(Outcome.Pass, ""), TimeSpan.FromSeconds(seconds));
        RunLogWriter.Write(runDir, result, null);
    }

    static RunSettings Settings(TempDir dir, string qemu = "/nonexistent") => new()
    {
        Paths = ProjectPaths.For(dir.Path, null),
        Caps = HostProbe.ProbeFiles(Fixtures.Tree("kvm-pvm-host")),
        QemuPath = qemu,
        ForcedAccel = AccelMode.Tcg,
    };

    [Fact]
    public void NewestSameAcceleratorTimeOrdersAndUnknownGoesFirst()
    {
        using var dir = new TempDir();
        var settings = Settings(dir);
        var older = Path.Combine(settings.Paths.LogsDir, "20261201-100000-1");
        var newer = Path.Combine(settings.Paths.LogsDir, "20261202-100000-2");
        Log(older, "a", AccelKind.Tcg, 9);   // superseded by the newer run's 1 s
        Log(newer, "a", AccelKind.Tcg, 1);
        Log(older, "b", AccelKind.Tcg, 7);   // b did not run in the newer one
        Log(newer, "d", AccelKind.Kvm, 50);  // another accelerator: d is unknown under TCG
        Log(newer, "e", AccelKind.Tcg, 3);

        var order = LongestFirst.Order(Entries, settings).Select(i => Entries[i].Name);

        Assert.Equal(["c", "d", "b", "e", "a"], order);
    }

    [Fact]
    public void WithoutLogsTheOrderIsTheConfigOrder()
    {
        using var dir = new TempDir();
        Assert.Equal([0, 1, 2, 3, 4], LongestFirst.Order(Entries, Settings(dir)));
    }

    [Fact]
    public void WithoutLogsFirmwareMachinesStartFirst()
    {
        using var dir = new TempDir();
        var entries = UnitTestsParser.Parse("[a]\n[b]\nmachine = q35\n[c]\n[d]\nmachine = pc\n", "f");
        var settings = Settings(dir);
        Log(Path.Combine(settings.Paths.LogsDir, "20261202-100000-2"), "a", AccelKind.Tcg, 1);

        var order = LongestFirst.Order(entries, settings).Select(i => entries[i].Name);

        // b, c, d have no log: the firmware ones (b, d) first; a, known, last.
        Assert.Equal(["b", "d", "c", "a"], order);
    }

    [Fact]
    public async Task AParallelRunStartsInThatOrderAndReportsInConfigOrder()
    {
        using var dir = new TempDir();
        foreach (var e in Entries)
            dir.File($"build/{e.Name}.elf", "");
        var qemu = dir.Script("fake-qemu", string.Concat(Transcripts.SelftestPass.Select(l => $"echo '{l}'\n")) + "exit 1");
        var settings = Settings(dir, qemu);
        var last = Path.Combine(settings.Paths.LogsDir, "20261202-100000-2");
        Log(last, "a", AccelKind.Tcg, 1);
        Log(last, "b", AccelKind.Tcg, 2);
        Log(last, "c", AccelKind.Tcg, 5);
        Log(last, "d", AccelKind.Tcg, 4);
        Log(last, "e", AccelKind.Tcg, 3);
        var started = new List<string>();

        var results = await SuiteRunner.RunAsync(Entries, settings with { LogsDir = Path.Combine(settings.Paths.LogsDir, "20261202-110000-3") },
            jobs: 2, onStart: e => started.Add(e.Name));

        Assert.Equal(["c", "d", "e", "b", "a"], started);
        Assert.Equal(["a", "b", "c", "d", "e"], results.Select(r => r.Entry.Name));
    }
}
