using System.Globalization;
using System.Text.RegularExpressions;

namespace Runner.Processes;

/// <summary>
/// Per-run temp folders (QMP sockets), named runner-[kind-]PID-XXXX after the runner that
/// made them. Registered so a runner stopped by a signal, which skips every finally block,
/// still removes them along with its QEMUs; a runner killed outright (SIGKILL) cannot, so
/// the next one removes what dead runners left (<see cref="ReapDead"/>).
/// </summary>
public static partial class ScratchDirs
{
    static readonly object Gate = new();
    static readonly HashSet<string> Live = [];

    [GeneratedRegex(@"^runner-(?:[a-z]+-)?(?<pid>[0-9]+)-[^/]+$")]
    private static partial Regex OwnedName();

    public static string Create(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory($"{prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-").FullName;
        lock (Gate) Live.Add(dir);
        return dir;
    }

    public static void Delete(string dir)
    {
        lock (Gate) Live.Remove(dir);
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { /* already gone or busy: it is only a temp folder */ }
        catch (UnauthorizedAccessException) { }
    }

    public static void DeleteAll()
    {
        string[] dirs;
        lock (Gate) dirs = [.. Live];
        foreach (var d in dirs) Delete(d);
    }

    /// <summary>The pid in a scratch folder's name, or null for a folder that is not one.</summary>
    public static int? OwnerOf(string dir) =>
        OwnedName().Match(Path.GetFileName(dir)) is { Success: true } m && int.TryParse(m.Groups["pid"].Value, CultureInfo.InvariantCulture, out var pid)
            ? pid : null;

    /// <summary>
    /// Removes the scratch folders of runners that no longer exist, and first kills any
    /// process still using one (a QEMU whose argv names its QMP socket there): the case of a
    /// runner killed by SIGKILL on a host without util-linux's setpriv (<see cref="ChildWrapper"/>).
    /// Returns what it removed, for tests.
    /// </summary>
    public static IReadOnlyList<string> ReapDead(string? tempDir = null, string procRoot = "/proc")
    {
        var removed = new List<string>();
        string[] dirs;
        try { dirs = Directory.GetDirectories(tempDir ?? Path.GetTempPath(), "runner-*"); }
        catch (IOException) { return removed; }
        catch (UnauthorizedAccessException) { return removed; }
        foreach (var dir in dirs)
        {
            if (OwnerOf(dir) is not { } pid || pid == Environment.ProcessId || IsAlive(procRoot, pid))
                continue;
            foreach (var user in Users(dir, procRoot))
                KillQuietly(user);
            Delete(dir);
            removed.Add(dir);
        }
        return removed;
    }

    /// <summary>A killed runner stays a zombie until its parent reaps it: that is dead too.</summary>
    public static bool IsAlive(string procRoot, int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return true; }
    }

    static IEnumerable<int> Users(string dir, string procRoot)
    {
        string[] entries;
        try { entries = Directory.GetDirectories(procRoot); }
        catch (IOException) { yield break; }
        foreach (var entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), CultureInfo.InvariantCulture, out var pid)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(entry, "cmdline")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (cmdline.Contains(dir + "/", StringComparison.Ordinal))
                yield return pid;
        }
    }

    static void KillQuietly(int pid)
    {
        try { System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true); }
        catch (ArgumentException) { }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }
}
