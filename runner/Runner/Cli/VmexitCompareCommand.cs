using Runner.Bench;
using Runner.Reporting;
using Spectre.Console;

namespace Runner.Cli;

/// <summary>`runner compare` for two `runner vmexit --json` files.</summary>
public static class VmexitCompareCommand
{
    public static int Run(string pathA, string pathB)
    {
        var ra = VmexitCompare.Load(pathA);
        var rb = VmexitCompare.Load(pathB);
        var result = VmexitCompare.Compare(ra, rb);
        var console = ConsoleFactory.Create();
        console.WriteLine($"A: {pathA} ({ra.Started:u}, {ra.Host.Where}, {ra.Host.CpuModel})");
        console.WriteLine($"B: {pathB} ({rb.Started:u}, {rb.Host.Where}, {rb.Host.CpuModel})");
        console.WriteLine("cycles per operation (median over boots of each boot's median batch); change = (B - A) / A; exits per operation less the handshake baseline:");
        IpiConsoleReport.Write(console, VmexitCompare.Table(result));
        foreach (var note in result.Notes)
            console.WriteLine($"note: {note}");
        return ExitCodes.Success;
    }
}
