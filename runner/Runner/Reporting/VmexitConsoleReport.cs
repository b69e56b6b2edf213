using Runner.Bench;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>The human output of `runner vmexit`: what was measured where, the table, what its figures rest on.</summary>
public static class VmexitConsoleReport
{
    public static IReadOnlyList<string> HeaderLines(VmexitReport r)
    {
        var s = r.Settings;
        return BenchHeaderLines.Of(r,
            $"VM-exit micro-benchmarks (kvm-unit-tests x86/vmexit cases): {(s.Cases.Count == 0 ? "every case" : string.Join(", ", s.Cases))}, " +
            $"{s.Runs} boot(s) per setting, {s.Batches} batches of {s.OpsPerBatch} operations per case, {s.Cpus} vCPU(s)" +
            (s.Parallel ? ", parallel cases on every vCPU" : ""),
            s.Machine, s.ExtraParams);
    }

    /// <summary>The KVM module parameters that decide interrupt virtualization and halt polling, in one line.</summary>
    public static string Modules(IpiHost h)
    {
        string[] relevant = ["halt_poll_ns", "enable_apicv", "enable_ipiv", "avic", "force_avic"];
        var parts = new List<string>();
        foreach (var module in h.KvmModules)
        {
            if (!h.ModuleParameters.TryGetValue(module, out var p)) continue;
            var text = string.Join(" ", relevant.Where(p.ContainsKey).Select(n => $"{n}={p[n]}"));
            if (text.Length > 0) parts.Add($"{module}: {text}");
        }
        return parts.Count == 0 ? "no relevant module parameters" : string.Join("; ", parts);
    }

    public static void WriteResults(IAnsiConsole console, VmexitReport r)
    {
        console.WriteLine();
        IpiConsoleReport.Write(console, VmexitTable.Build(r));
        foreach (var line in VmexitTable.FooterLines(r))
            console.WriteLine(line);
    }
}
