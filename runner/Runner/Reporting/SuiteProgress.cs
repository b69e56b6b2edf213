using Runner.Config;
using Runner.Execution;

namespace Runner.Reporting;

/// <summary>
/// What a progress line says while a suite runs: how many are done, which tests are booted
/// now, and what is left. Called from SuiteRunner's callbacks, one at a time.
/// </summary>
public sealed class SuiteProgress(IReadOnlyList<TestEntry> selected)
{
    const int MaxNames = 3;
    readonly List<string> _running = [];
    readonly HashSet<string> _finished = new(StringComparer.Ordinal);

    public int Done => _finished.Count;
    public int Total => selected.Count;

    public void Started(TestEntry entry) => _running.Add(entry.Name);

    public void Finished(TestRunResult result)
    {
        _running.Remove(result.Entry.Name);
        _finished.Add(result.Entry.Name);
    }

    public string Description
    {
        get
        {
            if (Done == Total)
                return $"{Done}/{Total} done";
            var left = selected.Where(e => !_finished.Contains(e.Name) && !_running.Contains(e.Name)).Select(e => e.Name).ToList();
            var running = _running.Count == 0 ? "starting" : "running " + Names(_running);
            var waiting = left.Count == 0 ? "" : $"; {left.Count} left: {Names(left)}";
            return $"{Done}/{Total} done; {running}{waiting}";
        }
    }

    static string Names(IReadOnlyList<string> names) =>
        names.Count <= MaxNames ? string.Join(", ", names) : $"{string.Join(", ", names.Take(MaxNames))}, …";
}
