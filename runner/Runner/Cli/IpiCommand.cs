using System.CommandLine;
using System.Globalization;
using Runner.Bench;
using Runner.Host;
using Runner.Processes;
using Runner.Reporting;
using Runner.Reporting.Plots;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>
/// `runner ipi`: the table of the KVM "IPI virtualization support for VM" patch, measured on
/// this host: IPI round-trip cycles in xAPIC and x2APIC mode, without and with IPIv, over
/// repeated boots of build/ipi.elf, with statistics and the VM exits per IPI.
/// </summary>
public static class IpiCommand
{
    public static Command Create(GlobalOptions global)
    {
        var xapic = new Option<bool>("--xapic") { Description = "Only xAPIC mode" };
        var x2apic = new Option<bool>("--x2apic") { Description = "Only x2APIC mode" };
        var both = new Option<bool>("--both") { Description = "xAPIC and x2APIC (default)" };
        var ipiv = new Option<bool>("--ipiv") { Description = "Only with IPIv" };
        var noIpiv = new Option<bool>("--no-ipiv") { Description = "Only without IPIv" };
        var compare = new Option<bool>("--compare-ipiv") { Description = "Without and with IPIv, and %Reduction (default)" };
        var apicv = new Option<bool>("--apicv") { Description = "Require APICv on (default: record whatever the host has)" };
        var noApicv = new Option<bool>("--no-apicv") { Description = "Require APICv off (only with --no-ipiv)" };
        var halt = new Option<bool>("--halt") { Description = "The target vCPU halts between IPIs (default: it spins)" };
        var kind = new Option<string>("--kind") { Description = "unicast, self or broadcast through the ICR, or pv: unicast through KVM's PV IPI hypercall (KVM_HC_SEND_IPI)", DefaultValueFactory = _ => "unicast" };
        kind.AcceptOnlyFromAmong([.. IpiKindText.All.Select(k => k.Arg())]);
        var send = new Option<string?>("--send") { Description = "How the IPIs are sent, one set of columns each in the one table: icr (the APIC's ICR, default), pv (KVM_HC_SEND_IPI), or icr,pv" };
        send.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } v && ParseSends(v) is null)
                r.AddError($"--send must be icr, pv or icr,pv, not '{v}'");
        });
        var runs = new Option<int>("--runs") { Description = "Boots per column", DefaultValueFactory = _ => 20 };
        var cpus = new Option<int>("--cpus") { Description = "vCPUs per VM", DefaultValueFactory = _ => 2 };
        var iters = new Option<string>("--iters") { Description = "Round trips per timed batch, or auto (a calibration boot fits about 0.4 s of round trips per run)", DefaultValueFactory = _ => "auto" };
        var warmup = new Option<int?>("--warmup") { Description = "Untimed round trips first (default: iters/10, 5..1000)" };
        var json = new Option<string?>("--json") { Description = "Write everything needed to reproduce and compare (host, image hash, argv, raw metrics, counters, stats) to this file" };
        var junit = new Option<string?>("--junit") { Description = "Write one JUnit testcase per column (failed runs fail it; an unavailable column is skipped)" };
        var plot = new Option<string?>("--plot") { Description = "Also draw every run's round trip (points and a box per column, C# and asm) to this .png or .svg" };
        plot.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } f && !PlotFile.IsPlotPath(f)) r.AddError($"--plot {f}: the file must end in .png or .svg"); });
        var reload = new Option<bool>("--reload-kvm") { Description = "Reload kvm_intel/kvm_amd with the parameters a column needs, and restore them afterwards (root, no other VMs)" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Boots at once (more than 1 makes VMs share host CPUs and disturbs the figures)", DefaultValueFactory = _ => 1 };
        var keepPit = new Option<bool>("--keep-pit") { Description = "Diagnostic: boot q35, whose in-kernel PIT runs in reinject mode and inhibits AVIC, to see the in-VM APICv check report it" };

        runs.Whole(1, 1000);
        cpus.Whole(1, 64);
        jobs.Whole(1, RunCommand.MaxJobs);
        warmup.Whole(0, 100_000);
        iters.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v != "auto" && !(int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100_000))
                r.AddError($"--iters must be auto or 1 to 100000, not '{v}'");
        });

        var command = new Command("ipi", "Measure IPI round-trip cycles without and with IPI virtualization (the KVM IPIv patch's table) on this host")
        {
            xapic, x2apic, both, ipiv, noIpiv, compare, apicv, noApicv, halt, kind, send, runs, cpus, iters, warmup, json, junit, plot, reload, jobs, keepPit,
        };
        command.Validators.Add(r =>
        {
            if (Count(r.GetValue(xapic), r.GetValue(x2apic), r.GetValue(both)) > 1)
                r.AddError("give one of --xapic, --x2apic, --both");
            if (Count(r.GetValue(ipiv), r.GetValue(noIpiv), r.GetValue(compare)) > 1)
                r.AddError("give one of --ipiv, --no-ipiv, --compare-ipiv");
            if (r.GetValue(apicv) && r.GetValue(noApicv))
                r.AddError("give --apicv or --no-apicv, not both");
        });
        command.SetAction(p => RunAsync(global, p, RequestFrom(p)));
        return command;
    }

    /// <summary>The benchmark request a parsed `runner ipi` command line asks for, defaults included.</summary>
    internal static IpiRequest RequestFrom(ParseResult p)
    {
        bool Flag(string name) => p.GetValue<bool>(name);
        var itersText = p.GetValue<string>("--iters")!;
        return new IpiRequest
        {
            Modes = Flag("--xapic") ? [ApicMode.XApic] : Flag("--x2apic") ? [ApicMode.X2Apic] : [ApicMode.XApic, ApicMode.X2Apic],
            Ipiv = Flag("--ipiv") ? [true] : Flag("--no-ipiv") ? [false] : [false, true],
            Apicv = Flag("--apicv") ? Want.On : Flag("--no-apicv") ? Want.Off : Want.Any,
            Halt = Flag("--halt"),
            Kind = IpiKindText.Parse(p.GetValue<string>("--kind")!)!.Value,
            Send = p.GetValue<string?>("--send") is { } sends ? ParseSends(sends) : null,
            Runs = p.GetValue<int>("--runs"),
            Cpus = p.GetValue<int>("--cpus"),
            Iterations = itersText == "auto" ? null : int.Parse(itersText, CultureInfo.InvariantCulture),
            Warmup = p.GetValue<int?>("--warmup"),
            Json = p.GetValue<string?>("--json"),
            JUnit = p.GetValue<string?>("--junit"),
            Plot = p.GetValue<string?>("--plot"),
            ReloadKvm = Flag("--reload-kvm"),
            Jobs = p.GetValue<int>("--jobs"),
            KeepPit = Flag("--keep-pit"),
        };
    }

    /// <summary>"icr,pv" as the ways of sending; null when a part is neither or repeats.</summary>
    internal static IReadOnlyList<IpiSend>? ParseSends(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sends = parts.Select(p => p switch { "icr" => IpiSend.Icr, "pv" => IpiSend.Pv, _ => (IpiSend?)null }).ToList();
        return sends.Any(s => s is null) || sends.Distinct().Count() != sends.Count ? null : sends.OfType<IpiSend>().ToList();
    }

    static int Count(params bool[] flags) => flags.Count(f => f);

    static async Task<int> RunAsync(GlobalOptions global, ParseResult p, IpiRequest req)
    {
        if (req.Validate() is { } bad)
            throw new UserErrorException(bad);
        var env = await BenchEnvironment.OpenAsync(global.Paths(p), p.GetValue(global.Qemu), IpiRequest.Target);
        using var session = new IpiSession(env, req);
        var console = ConsoleFactory.Create();
        foreach (var line in IpiConsoleReport.HeaderLines(session.Report(null)).Concat(session.Notes))
            console.WriteLine(line);

        IpiBench.Outcome outcome;
        // A reload must be undone before the runner exits, whatever signal ends it.
        using (DeferredTermination.While(req.ReloadKvm))
            outcome = await IpiProgress.RunAsync(console, session.Bench, session.Plan);
        await IpiOutputs.WriteAsync(console, session.Report(outcome), req, env.Clock.Elapsed);

        var verdict = IpiSession.Verdict(outcome, req.KeepPit);
        if (verdict == BenchVerdict.Interrupted)
            Console.Error.WriteLine("runner: interrupted; QEMU processes were stopped" + (req.ReloadKvm ? " and KVM module parameters restored" : ""));
        return ExitCodes.Of(verdict);
    }
}
