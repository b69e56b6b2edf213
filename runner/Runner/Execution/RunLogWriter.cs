using System.Globalization;
using System.Text;
using Runner.Processes;
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
    public const string RunnerPrefix = "[runner] ";
    /// <summary>The line with the run's wall time (<see cref="LongestFirst"/> reads it back).</summary>
    public const string ElapsedPrefix = "# elapsed: ";

    /// <summary>A line as the log shows it: stderr and the runner's own notes are marked.</summary>
    public static string Format(OutputLine line) => line.Stream switch
    {
        OutputStream.Stderr => StderrPrefix + line.Text,
        OutputStream.Runner => RunnerPrefix + line.Text,
        _ => line.Text,
    };

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
                sb.AppendLine(Format(line));
            sb.AppendLine($"# {GuestExitStatus.Describe(process.ExitStatus)}" +
                          (process.Termination == Termination.None ? "" : $"; stopped by runner: {process.TerminationDetail}"));
        }
        foreach (var reading in r.KvmReadings ?? [])
        {
            var c = reading.Counters;
            // Non-zero vCPU counters only: the rest are in --json.
            sb.AppendLine(c.IsAvailable
                ? $"# kvm counters at {reading.Tag}: vcpus={c.VcpuCount} " +
                  string.Join(' ', c.Vcpu.Where(kv => kv.Value != 0).Select(kv => $"{kv.Key}={kv.Value.ToString(CultureInfo.InvariantCulture)}"))
                : $"# kvm counters at {reading.Tag}: {c.Unavailable}");
        }
        sb.AppendLine($"{ElapsedPrefix}{r.Duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s");
        sb.AppendLine($"# verdict: {r.Outcome.Label()}{(r.Verdict.Reason.Length > 0 ? ": " + r.Verdict.Reason : "")}");
        return sb.ToString();
    }

    public static string Write(string logsDir, TestRunResult r, ProcessResult? process, string? logName = null)
    {
        Directory.CreateDirectory(logsDir);
        var path = LogPath(logsDir, logName ?? r.Entry.Name);
        File.WriteAllText(path, Render(r, process));
        return path;
    }

    public static string LogPath(string logsDir, string name) => Path.Combine(logsDir, SafeName(name) + ".log");

    // Test names may contain '/', which must not create sub-folders.
    public static string SafeName(string name) => name.Replace('/', '_');
}
