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

    /// <summary>
    /// Live QEMU processes (a zombie is not live) that the runner with pid
    /// <paramref name="runnerPid"/> started: their argv names the QMP socket in that
    /// runner's scratch folder (runner-PID-XXXX). Other tests of this class run at the same
    /// time, and other people's runs on a shared host, boot the same kernel; only the
    /// runner under test's QEMUs say anything about it.
    /// </summary>
    public static IReadOnlyList<int> LiveQemus(int runnerPid, string? mustContain = null)
    {
        var scratch = $"{Path.DirectorySeparatorChar}runner-{runnerPid}-";
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (cmdline.Contains("qemu-system", StringComparison.Ordinal) && cmdline.Contains(scratch, StringComparison.Ordinal)
                && (mustContain is null || cmdline.Contains(mustContain, StringComparison.Ordinal)) && Fixtures.ProcessAlive(pid))
                found.Add(pid);
        }
        return found;
    }

    /// <summary>Waits until the runner with pid <paramref name="runnerPid"/> runs a QEMU whose argv contains <paramref name="mustContain"/>.</summary>
    public static async Task<int> WaitForQemu(int runnerPid, string mustContain, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (LiveQemus(runnerPid, mustContain) is [var pid, ..]) return pid;
            await Task.Delay(20);
        }
        throw new TimeoutException($"runner {runnerPid} started no QEMU with '{mustContain}' within {timeout.TotalSeconds} s");
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
