using Runner.Config;
using Runner.Processes;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Execution;

/// <summary>
/// Runs the selected entries, up to Jobs at a time, longest first when parallel
/// (<see cref="LongestFirst"/>); results come back in config order.
/// </summary>
public static class SuiteRunner
{
    public static async Task<IReadOnlyList<TestRunResult>> RunAsync(
        IReadOnlyList<TestEntry> entries,
        RunSettings settings,
        int jobs,
        Action<TestRunResult>? onResult = null,
        Action<TestEntry, OutputLine>? onLine = null,
        CancellationToken cancel = default,
        Action<TestEntry>? onStart = null)
    {
        var results = new TestRunResult?[entries.Count];
        using var slots = new SemaphoreSlim(Math.Max(1, jobs));
        var callbackGate = new object();

        var order = jobs > 1 && entries.Count > jobs ? LongestFirst.Order(entries, settings) : Enumerable.Range(0, entries.Count).ToList();
        // One loop hands out the slots, so entries start exactly in that order: tasks that each
        // waited for a slot were let go in order but then raced to their first line.
        var tasks = new List<Task>();
        foreach (var index in order)
        {
            var entry = entries[index];
            await slots.WaitAsync(CancellationToken.None);
            if (!cancel.IsCancellationRequested)
                lock (callbackGate) onStart?.Invoke(entry);
            tasks.Add(Task.Run(() => RunOneAsync(index, entry)));
        }

        async Task RunOneAsync(int index, TestEntry entry)
        {
            try
            {
                var result = cancel.IsCancellationRequested
                    ? NotRun(entry)
                    : await TestExecutor.RunAsync(entry, settings, onLine, cancel);
                results[index] = result;
                // Reporters write to one console; keep each result's lines together.
                lock (callbackGate) onResult?.Invoke(result);
            }
            finally
            {
                slots.Release();
            }
        }

        await Task.WhenAll(tasks);
        return results.Select(r => r!).ToList();
    }

    static TestRunResult NotRun(TestEntry entry) =>
        new(entry, AccelDecision.Skip("interrupted before it started"),
            new Verdict(Outcome.Skip, "not run: interrupted before it started"), TimeSpan.Zero);
}
