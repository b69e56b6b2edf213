using System.Globalization;
using System.Text;
using Runner.Protocol;
using Runner.Qemu;

namespace Runner.Execution;

/// <summary>
/// build/logs/&lt;test&gt;.log: the exact command (pasteable), why that accelerator, every line in
/// arrival order and the verdict, so a failure can be reproduced without rerunning the suite.
/// </summary>
public static class RunLogWriter
{
    public const string StderrPrefix = "[stderr] ";

    public static string Render(TestRunResult r, ProcessResult? process)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# runner log: {r.Entry.Name} ({DateTimeOffset.Now.ToString("u", CultureInfo.InvariantCulture)})");
        if (r.Argv is not null)
            sb.AppendLine($"# command: {QemuCommandBuilder.ToShellLine(r.Argv)}");
        sb.AppendLine($"# accel: {r.Accel.Accel?.ToText() ?? "none"} ({r.Accel.Why})");
        if (process is not null)
        {
            foreach (var line in process.Lines)
                sb.AppendLine(line.Stream == OutputStream.Stderr ? StderrPrefix + line.Text : line.Text);
            sb.AppendLine($"# {GuestExitStatus.Describe(process.ExitStatus)}" +
                          (process.Termination == Termination.None ? "" : $"; stopped by runner: {process.TerminationDetail}"));
        }
        sb.AppendLine($"# elapsed: {r.Duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s");
        sb.AppendLine($"# verdict: {r.Outcome.Label()}{(r.Verdict.Reason.Length > 0 ? ": " + r.Verdict.Reason : "")}");
        return sb.ToString();
    }

    public static string Write(string logsDir, TestRunResult r, ProcessResult? process)
    {
        Directory.CreateDirectory(logsDir);
        var path = Path.Combine(logsDir, SafeName(r.Entry.Name) + ".log");
        File.WriteAllText(path, Render(r, process));
        return path;
    }

    // Test names may contain '/', which must not create sub-folders.
    static string SafeName(string name) => name.Replace('/', '_');
}
