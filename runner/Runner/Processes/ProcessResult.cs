using Runner.Protocol;

namespace Runner.Processes;

/// <summary>What a child did: its output, how it ended, and how long it took.</summary>
public sealed record ProcessResult(
    IReadOnlyList<OutputLine> Lines,
    int? ExitStatus,
    Termination Termination,
    string TerminationDetail,
    TimeSpan Elapsed)
{
    public IReadOnlyList<string> Stdout => Lines.Where(l => l.Stream == OutputStream.Stdout).Select(l => l.Text).ToList();
    public IReadOnlyList<string> Stderr => Lines.Where(l => l.Stream == OutputStream.Stderr).Select(l => l.Text).ToList();
}
