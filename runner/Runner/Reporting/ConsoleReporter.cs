using System.Globalization;
using Runner.Execution;
using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>The human output of `runner run`: one line per test, the guest's checks with -v, and the summary.</summary>
public sealed class ConsoleReporter(IAnsiConsole console, bool verbose, bool showWhere = false)
{
    // Guest lines arrive on QEMU's stdout and stderr pump threads, several tests at once with -j.
    readonly object _gate = new();

    public void Note(string text)
    {
        lock (_gate) console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");
    }

    /// <summary>A guest or QEMU line while it runs (-v); prefixed with the test name when several run at once.</summary>
    public void Live(string? test, OutputLine line)
    {
        var prefix = test is null ? "" : $"[{test}] ";
        var stream = line.Stream switch { OutputStream.Stderr => "stderr: ", OutputStream.Runner => "runner: ", _ => "" };
        lock (_gate) console.MarkupLine($"[grey]{Markup.Escape($"  | {prefix}{stream}{line.Text}")}[/]");
    }

    public void Result(TestRunResult r)
    {
        lock (_gate) WriteResult(r);
    }

    void WriteResult(TestRunResult r)
    {
        var label = r.Outcome.Label();
        // Inside an L1 host "kvm" alone would hide which KVM and under what: each line names it.
        var accel = showWhere && r.Where is { } where ? where : r.Accel.Accel?.ToText() ?? "not run";
        var time = r.Argv is null ? "" : $", {r.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";
        // One line a person can read; -v keeps the whole reason (so do the log, JUnit and JSON).
        var why = verbose ? r.Verdict.Reason.ReplaceLineEndings(" ") : VerdictLine.Short(r.Verdict);
        var reason = why.Length > 0 ? $": {why}" : "";
        console.MarkupLine($"[{Color(r.Outcome)}]{label,-7}[/] {Markup.Escape($"{r.Entry.Name} ({accel}{time}){reason}")}");

        foreach (var c in r.Verdict.Checks)
        {
            // XPASS is always shown: it means an erratum may be stale and someone should look.
            if (!verbose && c.Outcome != CheckOutcome.XPass) continue;
            var text = c.Outcome switch
            {
                CheckOutcome.Pass => c.Name,
                CheckOutcome.XFail => $"{c.Name}: {c.Detail} [known issue{Id(c)}: {c.ErratumReason}]",
                CheckOutcome.XPass => $"{c.Name} passed but tests/errata.cfg expects a failure here ({c.ErratumReason})",
                _ => $"{c.Name}: {c.Detail}",
            };
            console.MarkupLine($"        [{CheckColor(c.Outcome)}]{c.Outcome.Label(),-5}[/] {Markup.Escape(text)}");
        }
        if (verbose)
        {
            foreach (var m in r.Verdict.Metrics)
                console.MarkupLine($"        [blue]metric[/] {Markup.Escape($"{m.Name} = {m.Value} {m.Unit}")}");
            if (r.Accel.Accel is not null)
                console.MarkupLine($"        [grey]{Markup.Escape($"accel {r.Accel.Accel.Value.ToText()}: {r.Accel.Why}")}[/]");
            if (r.LogPath is not null)
                console.MarkupLine($"        [grey]{Markup.Escape($"log: {r.LogPath}")}[/]");
        }
    }

    static string Id(CheckResult c) => c.ErratumId is { Length: > 0 } id ? $" {id}" : "";

    public void Summary(RunSummary s)
    {
        lock (_gate)
        {
            console.WriteLine(s.DetailLine);
            console.WriteLine(s.ClosingLine);
        }
    }

    static string Color(Outcome o) => o switch
    {
        Outcome.Pass => "green",
        Outcome.Skip => "yellow",
        Outcome.XFail => "cyan",
        _ => "red",
    };

    static string CheckColor(CheckOutcome o) => o switch
    {
        CheckOutcome.Pass => "green",
        CheckOutcome.Skip => "yellow",
        CheckOutcome.XFail => "cyan",
        CheckOutcome.XPass => "magenta",
        _ => "red",
    };
}
