using System.Diagnostics;
using Runner.Tests.Cli;
using Runner.Tests.Support;

namespace Runner.Tests.Faults;

/// <summary>The built faults kernel and the runner as a process, for tests that boot it under real QEMU.</summary>
static class FaultKernel
{
    public static string Root()
    {
        var root = Fixtures.RepoRoot();
        if (!File.Exists(Path.Combine(root, "build", "faults.elf")))
            throw new InvalidOperationException("build/faults.elf not found: run `make` before these tests");
        return root;
    }

    /// <summary>Live QEMU processes booting this checkout's faults kernel (a zombie is not live).</summary>
    public static IReadOnlyList<int> LiveQemus(string root, string? mustContain = null)
    {
        var image = Path.Combine(root, "build", "faults.elf");
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (cmdline.Contains("qemu-system", StringComparison.Ordinal) && cmdline.Contains(image, StringComparison.Ordinal)
                && (mustContain is null || cmdline.Contains(mustContain, StringComparison.Ordinal)) && Fixtures.ProcessAlive(pid))
                found.Add(pid);
        }
        return found;
    }

    /// <summary>Waits until a QEMU for this kernel whose argv contains <paramref name="mustContain"/> runs.</summary>
    public static async Task<int> WaitForQemu(string root, string mustContain, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (LiveQemus(root, mustContain) is [var pid, ..]) return pid;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no QEMU with '{mustContain}' started within {timeout.TotalSeconds} s");
    }

    public static async Task WaitGone(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Fixtures.ProcessAlive(pid) && clock.Elapsed < timeout) await Task.Delay(20);
    }

    /// <summary>The runner in its own session, so a signal can go to its whole process group as a terminal's Ctrl-C does.</summary>
    public static Process StartInOwnGroup(string workDir, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workDir,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // setsid execs in place (a fresh child leads no group), so the pid is the runner's.
        psi.ArgumentList.Add(Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet");
        psi.ArgumentList.Add(RunnerProcess.Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("RUNNER_QEMU");
        return Process.Start(psi)!;
    }

    public static async Task Signal(string signal, string target)
    {
        using var kill = Process.Start("kill", ["-" + signal, "--", target]);
        await kill.WaitForExitAsync();
    }
}
