using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Runner.Config;
using Runner.Protocol;
using Runner.Tests.Cli;
using Runner.Tests.Support;

namespace Runner.Tests.Faults;

/// <summary>
/// Boots every entry of the `faults` group (tests/faults, real QEMU, two at a time) through
/// the runner as a process, once for the class, and checks each verdict and reason
/// against the entry's `expect =`, that no QEMU is left, and that the guest's raw bytes
/// reach no output unescaped.
/// </summary>
[Trait("Category", "Qemu")]
public class FaultSuiteTests(FaultSuiteTests.Suite suite) : IClassFixture<FaultSuiteTests.Suite>
{
    public sealed class Suite : IAsyncLifetime, IDisposable
    {
        readonly TempDir _tmp = new();
        public string Root { get; } = FaultKernel.Root();
        public int ExitCode { get; private set; }
        public string Tap { get; private set; } = "";
        public string Console { get; private set; } = "";
        public string JsonText { get; private set; } = "";
        public JsonDocument Json { get; private set; } = null!;
        public string JUnit { get; private set; } = "";
        public TimeSpan Wall { get; private set; }
        public IReadOnlyList<int> QemusLeft { get; private set; } = [];

        public async Task InitializeAsync()
        {
            var json = Path.Combine(_tmp.Path, "faults.json");
            var junit = Path.Combine(_tmp.Path, "faults.xml");
            var clock = Stopwatch.StartNew();
            using var p = RunnerProcess.Start(Root, ["run", "-g", "faults", "-j", "2", "-v", "--tap", "--root", Root, "--json", json, "--junit", junit]);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            Wall = clock.Elapsed;
            ExitCode = p.ExitCode;
            Tap = await stdout;
            Console = await stderr;
            QemusLeft = FaultKernel.LiveQemus(Root);
            JsonText = await File.ReadAllTextAsync(json);
            Json = JsonDocument.Parse(JsonText);
            JUnit = await File.ReadAllTextAsync(junit);
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose()
        {
            Json?.Dispose();
            _tmp.Dispose();
        }

        public JsonElement Test(string name) =>
            Json.RootElement.GetProperty("tests").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);
    }

    static IReadOnlyList<TestEntry> Entries() =>
        UnitTestsParser.ParseFile(Path.Combine(Fixtures.RepoRoot(), "tests", "unittests.cfg"), "tests/unittests.cfg")
            .Where(e => e.Groups.Contains("faults")).ToList();

    public static TheoryData<string> EntryNames()
    {
        var data = new TheoryData<string>();
        foreach (var e in Entries()) data.Add(e.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(EntryNames))]
    public void EntryGetsTheVerdictAndReasonItExpects(string name)
    {
        var entry = Entries().Single(e => e.Name == name);
        var t = suite.Test(name);
        var judgedOutcome = t.GetProperty("judgedOutcome").GetString()!;
        var judgedReason = t.GetProperty("judgedReason").GetString() ?? "";
        Assert.NotNull(entry.Expect);
        Assert.True(entry.Expect!.Alternatives.Any(a => a.Outcome.Label() == judgedOutcome && (a.Reason is null || Glob.IsMatch("*" + a.Reason + "*", judgedReason))),
            $"{name}: expected {entry.Expect.Text}, the runner judged {judgedOutcome}: {judgedReason}");
        Assert.Equal("PASS", t.GetProperty("outcome").GetString());
    }

    [Fact]
    public void EveryFaultOfTheSuiteHasAnEntryOutsideTheDefaultGroup()
    {
        string[] modes = ["spin-if", "spin-cli", "cli-hlt", "triple", "pf-null", "gp", "de", "sse", "noise", "overlong",
                          "malformed", "lying-summary", "second-summary", "exit-status"];
        var entries = Entries();
        foreach (var mode in modes)
            Assert.Contains(entries, e => e.Append.Contains($"mode={mode}") && e.Expect is not null && !e.Groups.Contains("default"));
    }

    [Fact]
    public void TheSuiteCountsExpectedFaultsAsPassedAndLeavesNoQemu()
    {
        Assert.True(suite.ExitCode == 0, suite.Console);
        Assert.Empty(suite.QemusLeft);
        Assert.Contains($"{Entries().Count} passed, 0 failed, 0 skipped", suite.Console);
    }

    /// <summary>A reset is over at once: the reboot loop it replaced ran into the 100 s hard cap.</summary>
    [Fact]
    public void TripleFaultEndsWellBeforeAnyTimeout()
    {
        var t = suite.Test("faults-triple");
        Assert.StartsWith("triple fault / guest reset", t.GetProperty("judgedReason").GetString());
        Assert.True(t.GetProperty("durationSeconds").GetDouble() < 10, $"took {t.GetProperty("durationSeconds").GetDouble()} s");
    }

    [Fact]
    public void NullDereferenceNamesCr2()
    {
        Assert.EndsWith("#PF page fault cr2 0x0", suite.Test("faults-pf-null").GetProperty("judgedReason").GetString());
    }

    [Fact]
    public void OverlongLineNamesTheLimit()
    {
        var reason = suite.Test("faults-overlong").GetProperty("judgedReason").GetString()!;
        Assert.Matches(@"^overlong line \d+: more than 8192 bytes without a newline", reason);
    }

    [Fact]
    public void GuestBytesReachNoOutputRaw()
    {
        // -v shows every guest line on the console; --tap puts the verdicts on stdout.
        Assert.Contains(@"\x1b[31mred\x1b[0m", suite.Console);
        foreach (var (what, text) in new[] { ("console", suite.Console), ("TAP", suite.Tap), ("JUnit", suite.JUnit), ("JSON", suite.JsonText) })
        {
            // The runner's own text may use typographic characters (an em dash); a raw guest byte shows as C0, DEL or C1/Latin-1.
            var raw = text.FirstOrDefault(c => c < ' ' && c is not ('\n' or '\t') || c is >= '\u007f' and <= '\u00ff' || c == '\ufffd');
            Assert.True(raw == default, $"{what} holds a raw byte U+{(int)raw:X4}");
        }
        XDocument.Parse(suite.JUnit);
        var log = suite.Test("faults-noise").GetProperty("logPath").GetString()!;
        Assert.Contains(@"noise \x1b[31mred", File.ReadAllText(log));
    }
}
