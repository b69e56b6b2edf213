using Runner.Bench;
using Runner.Reporting;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner compare` for two `runner wakeup --json` files.</summary>
public static class WakeupCompareCommand
{
    public static int Run(string pathA, string pathB)
    {
        var ra = WakeupCompare.Load(pathA);
        var rb = WakeupCompare.Load(pathB);
        var result = WakeupCompare.Compare(ra, rb);
        var console = ConsoleFactory.Create();
        console.WriteLine($"A: {pathA} ({ra.Started:u}, {ra.Host.Where}, {ra.Host.CpuModel})");
        console.WriteLine($"B: {pathB} ({rb.Started:u}, {rb.Host.Where}, {rb.Host.CpuModel})");
        console.WriteLine("wake-up latency in cycles (median over boots of each boot's median sample); change = (B - A) / A:");
        IpiConsoleReport.Write(console, WakeupCompare.Table(result));
        foreach (var note in result.Notes)
            console.WriteLine($"note: {note}");
        return ExitCodes.Success;
    }
}
