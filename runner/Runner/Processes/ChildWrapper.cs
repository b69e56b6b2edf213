namespace Runner.Processes;

/// <summary>
/// The argv prefix that ties a child's life to the runner's and keeps it out of the
/// terminal's signals: util-linux `setpriv --pdeathsig KILL` makes the kernel kill the child
/// when the runner dies, even by SIGKILL; `setsid` gives it its own session and process
/// group, so a Ctrl-C at the terminal reaches only the runner, which then stops the child
/// itself and records the test as interrupted (QEMU took SIGINT as a clean exit before).
/// Both exec the next program in place, so the child keeps the pid the runner started.
/// Without util-linux the child runs unwrapped and the start-up reaper
/// (<see cref="ScratchDirs.ReapDead"/>) catches what a killed runner left.
/// </summary>
public static class ChildWrapper
{
    static readonly Lazy<IReadOnlyList<string>> Prefix = new(() =>
        Which("setpriv") is { } setpriv && Which("setsid") is { } setsid
            // setsid forks only when it already leads a process group, which a freshly forked child never does;
            // --wait keeps the exit status right even then.
            ? [setpriv, "--pdeathsig", "KILL", "--", setsid, "--wait", "--"]
            : []);

    /// <summary>What is put in front of a child's argv (empty when util-linux is missing).</summary>
    public static IReadOnlyList<string> ArgvPrefix => Prefix.Value;

    /// <summary>The full path of an executable found on PATH (or the path itself when it has a slash), else null.</summary>
    public static string? Which(string program)
    {
        if (program.Contains('/'))
            return IsExecutable(program) ? Path.GetFullPath(program) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (IsExecutable(candidate)) return candidate;
        }
        return null;
    }

    static bool IsExecutable(string path)
    {
        if (OperatingSystem.IsWindows()) return File.Exists(path);
        try
        {
            return File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
