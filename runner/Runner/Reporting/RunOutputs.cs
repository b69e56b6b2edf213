using Runner.Execution;
using Runner.Workspace;

namespace Runner.Reporting;

/// <summary>
/// The files `runner run` writes after its tests (--junit, --json), and the notice of logs that
/// could not be written. Each output is written on its own: one that fails (a full disk) costs
/// only itself, in one line naming the option, the file and why.
/// </summary>
/// <param name="JUnit">The option's text and its checked full path; null when not asked for.</param>
/// <param name="Json">The same for --json.</param>
public sealed record RunOutputs((string Given, string Full)? JUnit, (string Given, string Full)? Json)
{
    /// <summary>Why the run is partial, when it was interrupted; null when every test was judged.</summary>
    public static string? PartialReason(IReadOnlyList<TestRunResult> results, bool interrupted, string? reason) => interrupted
        ? $"interrupted by {reason}: {results.Count(r => r.Verdict.Reason.StartsWith("not run", StringComparison.Ordinal))} of {results.Count} test(s) never started and the one(s) in flight are not judged"
        : null;

    public bool Any => (JUnit ?? Json) is not null;

    /// <summary>False when some output (a log, --junit, --json) could not be written; each failure is told on stderr.</summary>
    public async Task<bool> WriteAsync(IReadOnlyList<TestRunResult> results, string hostLine, string? partial)
    {
        bool ok = true;
        if (results.FirstOrDefault(r => r.LogError is not null) is { } noLog)
        {
            Console.Error.WriteLine($"runner: logs could not be written ({OutputPaths.Why(new IOException(noLog.LogError))}): {results.Count(r => r.LogError is not null)} test(s) have no log; the verdicts above stand");
            ok = false;
        }
        if (JUnit is { } junit)
            ok &= await TryWriteAsync("--junit", junit.Given, () => File.WriteAllTextAsync(junit.Full, JUnitWriter.Render(results, partial)));
        if (Json is { } json)
            ok &= await TryWriteAsync("--json", json.Given, () => JsonFiles.WriteAsync(json.Full, RunJsonWriter.Build(results, hostLine, partial)));
        return ok;
    }

    static async Task<bool> TryWriteAsync(string option, string path, Func<Task> write)
    {
        try
        {
            await write();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"runner: {option} {path}: could not be written ({OutputPaths.Why(e)}); the other results are kept");
            return false;
        }
    }
}
