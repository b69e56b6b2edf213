using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Runner.Processes;

namespace Runner.Execution;

/// <summary>
/// One folder of logs per `runner run`: build/logs/&lt;UTC time&gt;-&lt;pid&gt;/, with
/// build/logs/latest pointing at the newest. Two runs on one build folder at once then
/// keep their own logs, and a result's log path always holds that run's output.
/// </summary>
public static partial class RunFolder
{
    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);

    public const string LatestLink = "latest";

    /// <exception cref="IOException">the folder cannot be made</exception>
    public static string Create(string logsDir, DateTimeOffset now)
    {
        var name = $"{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
        var dir = Path.Combine(logsDir, name);
        Directory.CreateDirectory(dir);
        PointLatestAt(logsDir, name);
        Prune(logsDir);
        return dir;
    }

    /// <summary>How many run folders are kept; older ones of finished runs are removed.</summary>
    public const int Kept = 30;

    [GeneratedRegex(@"^[0-9]{8}-[0-9]{6}-(?<pid>[0-9]+)$")]
    private static partial Regex RunName();

    /// <summary>The run folders under logsDir, newest first; none when it does not exist yet.</summary>
    public static IReadOnlyList<string> RunsNewestFirst(string logsDir)
    {
        try
        {
            return Directory.GetDirectories(logsDir).Select(Path.GetFileName).OfType<string>()
                .Where(n => RunName().IsMatch(n)).OrderDescending(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    static void Prune(string logsDir)
    {
        var runs = Directory.GetDirectories(logsDir).Select(Path.GetFileName).OfType<string>()
            .Where(n => RunName().IsMatch(n)).Order(StringComparer.Ordinal).ToList();
        foreach (var old in runs.Take(Math.Max(0, runs.Count - Kept)))
        {
            var pid = RunName().Match(old).Groups["pid"].Value;
            if (!int.TryParse(pid, CultureInfo.InvariantCulture, out var owner) || ScratchDirs.IsAlive("/proc", owner)) continue;
            try { Directory.Delete(Path.Combine(logsDir, old), recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Replaces the link in one rename, so a reader never finds it missing; a failure only costs the convenience.</summary>
    static void PointLatestAt(string logsDir, string name)
    {
        var temp = Path.Combine(logsDir, $".{LatestLink}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            File.Delete(temp);
            File.CreateSymbolicLink(temp, name);
            // rename(2) replaces the old link atomically; File.Move looks through a link to a folder and refuses.
            if (Rename(temp, Path.Combine(logsDir, LatestLink)) != 0)
                File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { }
        }
    }
}
