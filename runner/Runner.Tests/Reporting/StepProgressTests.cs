using Runner.Bench;
using Runner.Host;
using Runner.Protocol;
using Runner.Reporting;
using Runner.Tests.Support;
using Spectre.Console;

namespace Runner.Tests.Reporting;

/// <summary>
/// The progress of long runs: a terminal gets a redrawn Spectre bar naming what runs and what is
/// left; a pipe gets the run's own lines only, with no escape code. The terminal is a Spectre
/// console forced to ANSI and interactive over a StringWriter (what Spectre's TestConsole does).
/// </summary>
public class StepProgressTests
{
    const char Esc = '\u001b';

    static IAnsiConsole Console(StringWriter into, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(into),
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = terminal ? 200 : 4096;   // as ConsoleFactory: a pipe is never wrapped
        return console;
    }

    static VmexitReport Recorded() =>
        VmexitCompare.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "vmexit", "kvm-pvm-hang.json"));

    /// <summary>The recorded vmexit boots, fed through the progress as the bench would.</summary>
    static async Task Replay(IAnsiConsole console)
    {
        var report = Recorded();
        var columns = VmexitColumn.All([Want.Off, Want.On]);
        await StepProgress.RunAsync(console, VmexitProgress.Steps(columns, 2), async progress =>
        {
            var p = new VmexitProgress(progress, columns, 2);
            p.ColumnStarted(columns[0], 2);
            foreach (var run in report.Columns[0].Runs)
            {
                await Task.Delay(150);   // long enough for the display to draw in between
                p.RunFinished(columns[0], run, 2);
            }
            p.ColumnSkipped(columns[1], report.Columns[1].Unavailable!);
            return 0;
        }, ciVariable: "");
    }

    [Fact]
    public async Task APipeGetsPlainLinesAndNoEscapeCode()
    {
        var output = new StringWriter();
        await Replay(Console(output, terminal: false));

        var text = output.ToString();
        Assert.DoesNotContain(Esc, text);
        Assert.Equal(
        [
            "APICv/AVIC off: 2 boot(s)",
            "  APICv/AVIC off boot 1/2 TIMEOUT (82.9 s): 1 case(s) measured, 1 skipped; the guest never came back from vmmcall: left out of the next boots",
            "  APICv/AVIC off boot 2/2 PASS (10.9 s): 3 case(s) measured, 2 skipped",
            "APICv/AVIC on: unavailable (reason under the table)",
        ], text.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("running", text);
    }

    [Fact]
    public async Task ATerminalGetsABarSayingWhatRunsAndWhatIsLeft()
    {
        var output = new StringWriter();
        await Replay(Console(output, terminal: true));

        var text = output.ToString();
        Assert.Contains(Esc, text);
        Assert.Contains("vmexit: APICv/AVIC off boot 1/2 running; 3 boot(s) left after it", text);
        Assert.Contains("vmexit: APICv/AVIC off boot 2/2 running; 2 boot(s) left after it", text);
        Assert.Contains("APICv/AVIC off boot 2/2 PASS", text);
    }

    [Fact]
    public void CiIsNeverLiveEvenOnATerminal()
    {
        Assert.False(StepProgress.IsLive(Console(new StringWriter(), terminal: true), "true"));
        Assert.True(StepProgress.IsLive(Console(new StringWriter(), terminal: true), null));
        Assert.False(StepProgress.IsLive(Console(new StringWriter(), terminal: false), null));
    }

    [Fact]
    public async Task TheWriterPassesWholeLines()
    {
        var output = new StringWriter();
        await StepProgress.RunAsync(Console(output, terminal: false), 1, p =>
        {
            using var w = p.Writer;
            w.Write("PV-EOI off: ");
            w.WriteLine("PASS");
            w.Write("tail");
            return Task.FromResult(0);
        });
        Assert.Equal("PV-EOI off: PASS\ntail\n", output.ToString());
    }

    /// <summary>The recorded pveoi sides' verdict lines, fed through the progress as the bench would.</summary>
    static async Task ReplayPveoi(IAnsiConsole console)
    {
        var report = BenchReportFile.Load<PveoiReport>(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pveoi", "kvm-pvm-timer.json"),
            PveoiReport.CurrentSchema, "runner pveoi --json");
        var req = new PveoiRequest(report.Settings.Rate, report.Settings.Seconds, report.Settings.Source);
        await StepProgress.RunAsync(console, PveoiProgress.Steps, async progress =>
        {
            var p = new PveoiProgress(progress, req);
            int i = 0;
            foreach (var side in report.Sides)
            {
                p.SideStarted(side.Label, ++i, report.Sides.Count);
                await Task.Delay(150);   // long enough for the display to draw in between
                p.SideFinished($"{side.Label}: {side.Outcome.Label()} (log {side.LogPath})");
            }
            return 0;
        }, ciVariable: "");
    }

    [Fact]
    public async Task PveoiInAPipeGetsItsVerdictLinesOnly()
    {
        var output = new StringWriter();
        await ReplayPveoi(Console(output, terminal: false));

        Assert.Equal(
        [
            "PV-EOI off: PASS (log /work/wt-report/build/logs/pveoi-off.log)",
            "PV-EOI on: PASS (log /work/wt-report/build/logs/pveoi-on.log)",
        ], output.ToString().TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task PveoiOnATerminalGetsABarNamingTheSideAndTheLoad()
    {
        var output = new StringWriter();
        await ReplayPveoi(Console(output, terminal: true));

        var text = output.ToString();
        Assert.Contains(Esc, text);
        Assert.Contains("pveoi: PV-EOI off boot 1/2 running (1 s of timer interrupts at 250/s); 1 boot(s) left after it", text);
        Assert.Contains("pveoi: PV-EOI on boot 2/2 running (1 s of timer interrupts at 250/s); 0 boot(s) left after it", text);
        Assert.Contains("PV-EOI on: PASS", text);
    }
}
