using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
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
            // At once, with no grace: the runner waits for each QEMU it killed, so any still here is a leak.
            QemusLeft = FaultKernel.LiveQemus(p.Id);
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

    /// <summary>What each noise line's fixed part must become: every byte that is not printable text as `\xNN`, the "×" kept.</summary>
    const string NoiseEscaped = @"noise \x1b[31mred\x1b[0m \x1b]0;title\x07\x00\x7f\xff\x0d \xc2\x9b[2J \x80 \xc0\xaf \xed\xa0\x80 \xef\xbf\xbe \xe2\x80\xae " + "\u00d7 ";

    [Fact]
    public void GuestBytesReachNoOutputRaw()
    {
        // -v shows every guest line on the console; --tap puts the verdicts on stdout.
        Assert.Contains(NoiseEscaped, suite.Console);
        foreach (var (what, text) in new[] { ("console", suite.Console), ("TAP", suite.Tap), ("JUnit", suite.JUnit), ("JSON", suite.JsonText) })
        {
            var raw = FirstUnprintable(text);
            Assert.True(raw is null, $"{what} holds U+{raw?.Value:X4}, which the runner must have escaped");
        }
        XDocument.Parse(suite.JUnit);

        // The random tail of each line must still hold bytes to escape, or the mode tests nothing.
        var log = File.ReadAllLines(suite.Test("faults-noise").GetProperty("logPath").GetString()!);
        var noise = log.Where(l => l.Contains(NoiseEscaped, StringComparison.Ordinal)).ToList();
        Assert.Equal(8, noise.Count);
        Assert.All(noise, l => Assert.Matches(@"\\x[0-9a-f]{2}", l[(l.IndexOf(NoiseEscaped, StringComparison.Ordinal) + NoiseEscaped.Length)..]));
    }

    /// <summary>
    /// The first character no output may hold raw: a control character but newline and tab
    /// (C0, DEL, C1), a format character, a line or paragraph separator, an unassigned code
    /// point or a lone surrogate. Printable UTF-8 from the guest may be there as itself.
    /// </summary>
    static Rune? FirstUnprintable(string text)
    {
        for (int i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var r, out var used) != OperationStatus.Done)
                return new Rune(0xFFFD);
            i += used;
            if (r.Value is '\n' or '\t') continue;
            if (Rune.IsControl(r) || Rune.GetUnicodeCategory(r) is UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned)
                return r;
        }
        return null;
    }
}
