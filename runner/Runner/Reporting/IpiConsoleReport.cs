using System.Globalization;
using Runner.Bench;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>The human output of `runner ipi`: host header, column states, the patch-style tables, notes.</summary>
public static class IpiConsoleReport
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Relevant parameters printed in the header; every parameter is in --json.</summary>
    static readonly IReadOnlyDictionary<string, string[]> Relevant = new Dictionary<string, string[]>
    {
        ["kvm"] = ["halt_poll_ns"],
        ["kvm_intel"] = ["enable_apicv", "enable_ipiv", "enable_device_posted_irqs"],
        ["kvm_amd"] = ["avic", "force_avic", "enable_ipiv"],
    };

    public static IReadOnlyList<string> HeaderLines(IpiReport r)
    {
        var s = r.Settings;
        var lines = new List<string>
        {
            $"IPI round trip in cycles: C# sender + C# handler, {KindText(s)}, target {(s.Kind == IpiKind.Self ? "self" : s.Target == IpiTarget.Halt ? "halted" : "spinning")}, " +
            $"{s.Cpus} vCPU(s), {s.Runs} run(s) per column, " +
            (s.Iterations > 0 ? $"{s.Iterations} round trips per batch (warm-up {s.Warmup})" : "round trips per batch: auto (a calibration boot decides)"),
            $"host:   {(r.Host.Where.Length > 0 ? r.Host.Where + "; " : "")}{r.Host.CpuModel} ({r.Host.CpuVendor}), Linux {r.Host.KernelRelease}",
            $"KVM:    {r.Host.KvmBackend}; {ModuleLine(r.Host)}; guest -cpu {r.Host.KvmCpuModel}",
            $"QEMU:   {r.Host.QemuVersionText ?? "version unknown"}, {r.Host.QemuPath}",
            $"kernel: {r.Kernel.Path} sha256 {r.Kernel.Sha256[..Math.Min(16, r.Kernel.Sha256.Length)]}…, {s.Machine}, runner {r.RunnerVersion}",
        };
        if (r.Host.Command.Length > 0)
            lines.Add($"command: {r.Host.Command}");
        if (r.Host.FiguresCaveat.Length > 0)
            lines.Add($"note:   {r.Host.FiguresCaveat}");
        return lines;
    }

    /// <summary>"unicast", or how each set of columns sends when the hypercall is among them.</summary>
    static string KindText(IpiSettings s) =>
        s.Sends.SequenceEqual([IpiSend.Icr]) ? s.Kind.Arg()
        : string.Join(" and ", s.Sends.Select(x => x == IpiSend.Pv ? "unicast through KVM_HC_SEND_IPI (PV)" : $"{s.Kind.Arg()} through the ICR"));

    static string ModuleLine(IpiHost h)
    {
        var parts = new List<string>();
        foreach (var module in h.KvmModules)
        {
            if (!h.ModuleParameters.TryGetValue(module, out var p) || p.Count == 0) continue;
            // A backend without a known short list (kvm_pvm) is shown whole: it is short, and unfamiliar.
            var names = Relevant.TryGetValue(module, out var r) ? r.Where(p.ContainsKey) : p.Keys;
            var text = string.Join(" ", names.Select(n => $"{n}={p[n]}"));
            if (text.Length > 0) parts.Add($"{module}: {text}");
        }
        return parts.Count == 0 ? "no module parameters readable" : string.Join("; ", parts);
    }

    public static IReadOnlyList<string> ColumnLines(IpiReport r) =>
        r.Columns.SelectMany(c => c.Unavailable is { } why
            ? new[] { $"  {c.Label,-16} unavailable: {why}" }
            : new[] { $"  {c.Label,-16} ran on: {c.VerifiedState}", $"  {"",-16} in the VM: {c.InVm ?? "not observed"}" }).ToList();

    public static void WriteResults(IAnsiConsole console, IpiReport r)
    {
        console.WriteLine();
        if (r.Settings.Iterations > 0)
            console.WriteLine($"round trips per batch: {r.Settings.Iterations}, warm-up {r.Settings.Warmup} ({r.Settings.IterationsSource})");
        console.WriteLine("columns (host state from sysfs right before each column ran; the VM's own state from KVM's APICv inhibit trace during each timed batch):");
        foreach (var line in ColumnLines(r))
            console.WriteLine(line);
        console.WriteLine();

        Write(console, IpiTable.CSharp(r));
        if (r.Columns.Any(c => c.Stats?.Asm is not null))
        {
            console.WriteLine();
            console.WriteLine("the same round trip in assembly (kernel/boot/ipi.asm), the reference for the C# figures:");
            Write(console, IpiTable.Asm(r), footnotes: false);
        }

        console.WriteLine();
        foreach (var line in IpiTable.ReductionNotes(r))
            console.WriteLine(line);
        foreach (var line in FooterLines(r))
            console.WriteLine(line);
    }

    public static IReadOnlyList<string> FooterLines(IpiReport r)
    {
        var lines = new List<string>();
        var measured = r.Columns.Where(c => c.Stats is not null).ToList();
        if (measured.Count > 0)
        {
            lines.Add("run-to-run CV: " + string.Join(", ", measured.Select(c =>
                $"{c.Label} {(double.IsNaN(c.Stats!.CSharp.CvPercent) ? "n/a (one run)" : c.Stats.CSharp.CvPercent.ToString("0.0", Inv) + " %")}")));
            var noisy = measured.Where(c => c.Stats!.CSharp.CvPercent > 10).ToList();
            if (noisy.Count > 0)
                lines.Add($"  noisy: CV above 10 % in {string.Join(", ", noisy.Select(c => c.Label))}; differences between columns " +
                          "smaller than the 95% CIs are not meaningful");
            foreach (var c in measured)
            {
                var st = c.Stats!;
                var exits = st.ExitsPerIpi is { } e
                    ? $"{e.Mean.ToString("0.00", Inv)} VM exits per IPI (QMP query-stats `exits`, all vCPUs, timed batch only, " +
                      $"less one sync handshake: {Num(st.HandshakeExits?.Median)} exits median, measured by an empty region in the same boot; " +
                      $"{(st.RawExitsPerIpi is { } raw ? raw.Mean.ToString("0.00", Inv) : "n/a")} with it)"
                    : $"exits per IPI unavailable: {st.ExitsUnavailable}";
                var partial = st.ExitsPerIpi is not null && st.ExitsUnavailable is not null ? $" ({st.ExitsUnavailable})" : "";
                lines.Add($"{c.Label}: {exits}{partial}; timer overhead {Num(st.TimerOverheadMedian)} cycles median " +
                          $"(min {Num(st.TimerOverheadMin)}) per fenced rdtsc pair; C# / asm {(st.CSharpOverAsm is { } q ? q.ToString("0.00", Inv) + "x" : "n/a")}");
            }
        }
        foreach (var c in r.Columns)
            foreach (var run in c.Runs.Where(x => !x.Used))
                lines.Add($"excluded: {c.Label} run {run.Index}: {run.Excluded}" + (run.LogPath is null ? "" : $" (log: {run.LogPath})"));
        foreach (var c in r.Columns.Where(c => c.Runs.Any(x => !x.Used)))
            lines.Add($"{c.Label}: {c.Runs.Count(x => !x.Used)} of {c.Runs.Count} runs excluded");
        lines.AddRange(r.Notes);
        return lines;
    }

    static string Num(double? v) => v is { } x ? x.ToString("#,##0", Inv) : "n/a";

    public static void Write(IAnsiConsole console, TextTable t, bool footnotes = true)
    {
        var table = new Table().Border(TableBorder.Simple);
        for (int i = 0; i < t.Headers.Count; i++)
        {
            var col = new TableColumn(Markup.Escape(t.Headers[i]));
            if (i > 0) col.RightAligned();
            table.AddColumn(col);
        }
        foreach (var row in t.Rows)
        {
            if (row.Rule)
                table.AddEmptyRow();
            table.AddRow(new[] { row.Label }.Concat(row.Cells).Select(c => new Text(c)).ToArray());
        }
        console.Write(table);
        if (footnotes)
            for (int i = 0; i < t.Footnotes.Count; i++)
                console.WriteLine($"[{i + 1}] {t.Footnotes[i]}");
    }
}
