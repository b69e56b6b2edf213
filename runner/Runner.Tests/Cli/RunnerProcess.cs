using System.Diagnostics;

namespace Runner.Tests.Cli;

/// <summary>Starts the built runner as a separate process, as a person would, so exit codes, stderr and signals are real.</summary>
sealed class RunnerProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "runner.dll");

    public static Process Start(string workDir, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workDir,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("RUNNER_QEMU");
        // Tests check behaviour, not figures: the timing commands need not restart without
        // tiered JIT (runner.dll here is not precompiled, so that restart JITs everything at full
        // optimisation, seconds over the suite). An empty value removes a variable.
        psi.Environment[Runner.Cli.SteadyJit.Variable] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            if (v.Length == 0) psi.Environment.Remove(k); else psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    public static async Task<(int Code, string Out, string Err)> RunAsync(string workDir, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        using var p = Start(workDir, args, env);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout, await stderr);
    }

    static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
