namespace Runner.Execution;

/// <summary>
/// Per-run temp folders (QMP sockets). Registered so a runner stopped by a signal, which
/// skips every finally block, still removes them along with its QEMUs.
/// </summary>
public static class ScratchDirs
{
    static readonly object Gate = new();
    static readonly HashSet<string> Live = [];

    public static string Create(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
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
}
