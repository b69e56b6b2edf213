using System.Globalization;
using Runner.Config;
using Runner.Qemu;

namespace Runner.Execution;

/// <summary>
/// The start order of a parallel run: the entries that took longest last time first, so the
/// last slot to finish does not run a long entry alone while the other CPUs idle. "Last time"
/// is the newest earlier log of that entry under the same accelerator (build/logs/&lt;run&gt;/,
/// "# elapsed:"); an entry with none starts first, as it may be the long one, and of those
/// the ones booting through firmware first. Only the order
/// changes: every entry runs, and results are still reported in config order.
/// </summary>
public static class LongestFirst
{
    /// <summary>How many earlier runs are read; enough to find an entry that a -g run left out.</summary>
    const int RunsRead = 10;

    public static IReadOnlyList<int> Order(IReadOnlyList<TestEntry> entries, RunSettings settings)
    {
        var logsDir = settings.Paths.LogsDir;
        var runs = RunFolder.RunsNewestFirst(logsDir)
            .Select(name => Path.Combine(logsDir, name))
            .Where(dir => dir != settings.LogsDir)
            .Take(RunsRead).ToList();
        var last = entries.Select(entry =>
        {
            var accel = AccelSelector.Choose(entry.Accel, settings.ForcedAccel, settings.Caps.Kvm).Accel;
            return accel is { } kind ? LastElapsed(runs, entry.Name, kind) : 0;
        }).ToList();
        // A stable sort: unknown (null) first, then the longest; ties keep config order.
        // Among the unknown (a fresh checkout knows none), firmware machines first: SeaBIOS
        // alone made selftest-q35 4.6 s against selftest's 0.3 s (kvm_pvm, JUnit of make test
        // at 058756a), and all three q35 entries sat in the second half of the config.
        return Enumerable.Range(0, entries.Count)
            .OrderByDescending(i => last[i] ?? double.PositiveInfinity)
            .ThenBy(i => last[i] is null && entries[i].Machine == TestEntry.DefaultMachine ? 1 : 0)
            .ToList();
    }

    /// <summary>Seconds of the entry's newest logged run under that accelerator, or null.</summary>
    public static double? LastElapsed(IEnumerable<string> runDirs, string entry, AccelKind accel)
    {
        var accelLine = $"# accel: {accel.ToText()} (";
        foreach (var dir in runDirs)
        {
            var log = RunLogWriter.LogPath(dir, entry);
            string[] lines;
            try
            {
                if (!File.Exists(log)) continue;
                lines = File.ReadAllLines(log);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (!lines.Any(l => l.StartsWith(accelLine, StringComparison.Ordinal))) continue;
            var elapsed = lines.LastOrDefault(l => l.StartsWith(ElapsedPrefix, StringComparison.Ordinal));
            if (elapsed is not null && double.TryParse(elapsed[ElapsedPrefix.Length..].TrimEnd(' ', 's'),
                    NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                return seconds;
        }
        return null;
    }

    const string ElapsedPrefix = RunLogWriter.ElapsedPrefix;
}
