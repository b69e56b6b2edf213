using System.Globalization;
using Runner.Execution;
using Runner.Processes;

namespace Runner.Nested;

/// <summary>The host tools the nested set-up calls (apt-cache, apt-get, dpkg-deb, xz), bounded like every child.</summary>
static class Tool
{
    static readonly ProcessLimits Limits = new(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(15)) { MaxLineChars = 1 << 20 };

    /// <summary>Runs argv; returns its stdout lines, or throws naming the command and its last stderr line.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(IReadOnlyList<string> argv, CancellationToken cancel, string? fix = null)
    {
        var result = await TryRunAsync(argv, cancel);
        if (result.ExitStatus == 0)
            return result.Stdout;
        var why = result.ExitStatus is { } s ? $"exit status {s.ToString(CultureInfo.InvariantCulture)}" : result.TerminationDetail;
        var last = result.Stderr.LastOrDefault(l => l.Trim().Length > 0 && !l.StartsWith("W: ", StringComparison.Ordinal)) ?? "";
        throw new UserErrorException($"`{string.Join(' ', argv)}` failed ({why}{(last.Length > 0 ? ": " + last.Trim() : "")}){(fix is null ? "" : ": " + fix)}");
    }

    public static Task<ProcessResult> TryRunAsync(IReadOnlyList<string> argv, CancellationToken cancel) =>
        ProcessRunner.RunAsync(argv, Limits, cancel: cancel);
}
