namespace Runner.Workspace;

/// <summary>
/// Checks the files a run will write (--json, --junit, the logs folder) before the first
/// boot, so a typo costs a second rather than a whole suite's results.
/// </summary>
public static class OutputPaths
{
    /// <summary>The full path of <paramref name="path"/>, or a usage error naming the option and the fix.</summary>
    /// <exception cref="UserErrorException"></exception>
    public static string CheckFile(string option, string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UserErrorException($"{option} {path}: is a folder: give a file name, e.g. {Path.Combine(path, "results" + Extension(option))}");
        var dir = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"{option} {path}: cannot create its folder {dir} ({Why(e)}): give a path in a writable folder");
        }
        bool existed = File.Exists(full);
        try
        {
            // Opening for writing proves the folder and the file take writes. A device (/dev/full)
            // gets one byte, which is the only way to see it refuse; a regular file is left as it was.
            using var f = new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
            if (existed && IsDevice(full))
            {
                f.WriteByte((byte)'\n');
                f.Flush();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"{option} {path}: cannot be written ({Why(e)}): give a writable file");
        }
        finally
        {
            if (!existed)
                try { File.Delete(full); } catch (IOException) { }
        }
        return full;
    }

    /// <summary>A folder the run writes many files to: it must exist (or be creatable) and take a file.</summary>
    /// <exception cref="UserErrorException"></exception>
    public static void CheckFolder(string what, string dir, string fix)
    {
        var probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"{what} {dir} is not writable ({Why(e)}): {fix}");
        }
    }

    /// <summary>An I/O error as a short phrase ("No space left on device"), without .NET's path repetition.</summary>
    public static string Why(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "a folder on the way does not exist and cannot be made there",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message.Split(" : ")[0].TrimEnd('.') is { Length: > 0 } m ? m : e.GetType().Name,
    };

    static bool IsDevice(string path) =>
        !OperatingSystem.IsWindows() && path.StartsWith("/dev/", StringComparison.Ordinal);

    static string Extension(string option) => option == "--junit" ? ".xml" : ".json";
}
