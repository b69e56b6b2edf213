using Runner.Bench;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>What `runner compare` prints for two reports of one benchmark: which files, what the table shows, the table, its notes.</summary>
public static class CompareConsoleReport
{
    /// <summary>The run a vmexit or wakeup file holds: when, where, on which CPU.</summary>
    public static string WhenWhereCpu(BenchReport r) => $"{r.Started:u}, {r.Host.Where}, {r.Host.CpuModel}";

    /// <summary>The run an ipi file holds: when, on which CPU and KVM backend.</summary>
    public static string WhenCpuBackend(BenchReport r) => $"{r.Started:u}, {r.Host.CpuModel}, {r.Host.KvmBackend}";

    public static void Write(IAnsiConsole console, (string Path, BenchReport Report) a, (string Path, BenchReport Report) b,
        Func<BenchReport, string> about, string title, TextTable table, IReadOnlyList<string> notes)
    {
        console.WriteLine($"A: {a.Path} ({about(a.Report)})");
        console.WriteLine($"B: {b.Path} ({about(b.Report)})");
        console.WriteLine(title);
        IpiConsoleReport.Write(console, table);
        foreach (var note in notes)
            console.WriteLine($"note: {note}");
    }
}
