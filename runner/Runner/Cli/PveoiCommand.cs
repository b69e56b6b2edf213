using System.CommandLine;
using System.Globalization;
using Runner.Bench;
using Runner.Counters;
using Runner.Reporting;

namespace Runner.Cli;

/// <summary>
/// `runner pveoi`: the KVM PV-EOI patch's evidence, measured here: the same steady
/// interrupt load (tests/irqload) for a fixed guest time with PV-EOI off, then on, and
/// the KVM counters around the loaded second, from tracepoints (perf) where this user
/// may trace and from QMP query-stats always.
/// </summary>
public static class PveoiCommand
{
    public static Command Create(GlobalOptions global)
    {
        var rate = new Option<int>("--rate") { Description = "Interrupts per second", DefaultValueFactory = _ => 250 };
        var seconds = new Option<int>("--seconds") { Description = "Guest time under load", DefaultValueFactory = _ => 1 };
        var source = new Option<string>("--source") { Description = "timer, ipi or msi", DefaultValueFactory = _ => "timer" };
        var json = new Option<string?>("--json") { Description = "Write the host, the load and both sides' counts to this file (for runner report)" };
        source.AcceptOnlyFromAmong("timer", "ipi", "msi");
        rate.Whole(1, 100_000);
        seconds.Whole(1, 60);
        var command = new Command("pveoi", "KVM counters under a steady interrupt load with PV-EOI off and on (the KVM PV-EOI patch's table)")
        {
            rate, seconds, source, json,
        };
        command.SetAction(p => RunAsync(global, p, new PveoiRequest(p.GetValue(rate), p.GetValue(seconds), p.GetValue(source)!), p.GetValue(json)));
        return command;
    }

    static async Task<int> RunAsync(GlobalOptions global, ParseResult p, PveoiRequest req, string? json)
    {
        var env = await BenchEnvironment.OpenAsync(global.Paths(p), p.GetValue(global.Qemu), PveoiRequest.Target);
        var perfWhy = PerfTracepoints.WhyUnavailable();
        var output = Console.Out;
        PveoiTables.WriteHeader(output, req, env.Caps, perfWhy);
        var sides = await StepProgress.RunAsync(ConsoleFactory.Create(), PveoiProgress.Steps,
            progress => PveoiBench.RunAsync(env, req, perfWhy, new PveoiProgress(progress, req)));
        var report = PveoiBench.Report(env, req, perfWhy, sides);
        PveoiTables.WriteTables(output, report);
        if (json is not null)
        {
            await JsonFiles.WriteAsync(json, report with { WallSeconds = env.WallSeconds });
            output.WriteLine($"json: {Path.GetFullPath(json)}");
        }
        output.WriteLine($"wall time: {env.Clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        return ExitCodes.Of(PveoiBench.Verdict(sides));
    }
}
