using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Runner.Execution;
using Runner.Host;
using Runner.Processes;
using Runner.Protocol;
using Runner.Reporting;
using Runner.Workspace;

namespace Runner.Nested;

/// <summary>What one `--host-kernel` invocation asks for.</summary>
public sealed record NestedRequest(
    IReadOnlyList<string> Args, HostKernelSpec Kernel, IReadOnlyDictionary<string, IReadOnlyList<string>> KvmParams,
    ProjectPaths Paths, string QemuPath, bool Verbose);

/// <summary>
/// Runs a runner command inside an L1 Linux host booted under QEMU, and reports as if it had
/// run here: the inner runner's lines come through as they are printed, its result files land
/// where they were asked for, and its exit status is this one's. An L1 that cannot get that
/// far is one FAIL (or TIMEOUT) naming how far it got, with the end of its console.
/// </summary>
public static class NestedRunner
{
    const string L1Prefix = "ktest-l1: ";
    /// <summary>
    /// The exit status of an L1 that a known L0 QEMU abort ended: not 0 (the command's
    /// results never came back), not 1 (nothing in it failed); a caller can retry without the part it names.
    /// </summary>
    public const int KnownL0AbortStatus = 3;
    const int ConsoleTail = 20;
    /// <summary>L1's init says it is alive every 15 s; this much silence is a hung L1.</summary>
    static readonly TimeSpan L1Idle = TimeSpan.FromSeconds(120);
    static readonly TimeSpan L1Hard = TimeSpan.FromHours(3);
    /// <summary>Environment the job keeps from here (the rest of L1's is its own).</summary>
    static readonly string[] KeptEnvironment = ["PATH", "HOME", "DOTNET_ROOT", "RUNNER_QEMU", "CI", "TZ", "LANG"];

    public static async Task<int> RunAsync(NestedRequest req, TextWriter output, TextWriter error, CancellationToken cancel, INestedProgress? progress = null)
    {
        var clock = Stopwatch.StartNew();
        void Note(string text) => error.WriteLine("l1: " + text);

        progress?.Preparing(req.Kernel switch
        {
            HostKernelSpec.Debian d => $"getting Debian's {d.Series} kernel, busybox and the initramfs ready",
            HostKernelSpec.Image i => $"getting {Path.GetFileName(i.Path)}, busybox and the initramfs ready",
            _ => "getting the kernel ready",
        });
        var kernel = await HostKernelResolver.ResolveAsync(req.Kernel, Note, cancel);
        var busyboxTree = await DebianPackages.UnpackedAsync("busybox-static", NestedCache.Dir("busybox"), Note, cancel);
        var busybox = Path.Combine(busyboxTree, "bin", "busybox");
        var initramfs = await L1Initramfs.BuildAsync(kernel, busybox, NestedCache.Dir("initramfs"), cancel);
        var accel = L1Accel.Choose(HostProbe.ProbeFiles("/"));
        long l0LoopNs = CpuLoopCalibration.MeasureNanoseconds();

        var logs = req.Paths.LogsDir;
        Directory.CreateDirectory(logs);
        var stem = $"l1-{kernel.Release}";
        var consoleLog = Path.Combine(logs, stem + ".console.log");
        var runLog = Path.Combine(logs, stem + ".log");
        var results = Path.Combine(req.Paths.BuildDir, "nested", $"run-{Environment.ProcessId}");
        if (Directory.Exists(results)) Directory.Delete(results, recursive: true);
        Directory.CreateDirectory(results);
        File.Delete(consoleLog);

        var args = NestedArgs.Rewrite(req.Args, results, Environment.CurrentDirectory);
        await File.WriteAllTextAsync(Path.Combine(results, "job.env"), JobEnv(results, logs, req.KvmParams), cancel);
        await File.WriteAllTextAsync(Path.Combine(results, "job.sh"), JobScript(args.Inner, results, accel, kernel, l0LoopNs), cancel);

        var where = $"L1 Linux {kernel.Release} ({kernel.Origin}) under {accel.Name.ToUpperInvariant()}";
        Note($"{where}: {accel.Why}");
        if (req.KvmParams.Count > 0)
            Note("KVM module parameters: " + string.Join(' ', KvmParams.AsKernelArguments(req.KvmParams)));
        Note($"console: {req.Paths.Display(consoleLog)}; log: {req.Paths.Display(runLog)}");

        var argv = L1Machine.Argv(req.QemuPath, accel, kernel, initramfs, consoleLog, results, logs, req.KvmParams);
        var stages = new List<(string Stage, TimeSpan At)>();
        progress?.Booting(where);
        string? failure = null, part = null;
        var result = await ProcessRunner.RunAsync(argv, new ProcessLimits(L1Idle, L1Hard) { MaxLineChars = 1 << 20 }, line =>
        {
            if (line.Stream != OutputStream.Stdout) return;
            var text = line.Text.TrimEnd('\r');
            if (!text.StartsWith(L1Prefix, StringComparison.Ordinal))
            {
                output.WriteLine(text);
                progress?.InnerLine(text);
                return;
            }
            var said = text[L1Prefix.Length..];
            if (said.StartsWith("stage ", StringComparison.Ordinal))
            {
                lock (stages) stages.Add((said, line.At));
                progress?.Stage(said);
                if (req.Verbose) Note(said);
            }
            else if (said.StartsWith("failed: ", StringComparison.Ordinal))
                failure = said["failed: ".Length..];
            else if (text.StartsWith(NestedHost.PartAnnouncement, StringComparison.Ordinal))
                part = text[NestedHost.PartAnnouncement.Length..];
            else if (req.Verbose && said != "alive")
                Note(said);
        }, cancel);
        await File.WriteAllTextAsync(runLog, RunLog(argv, result), CancellationToken.None);

        var statusFile = Path.Combine(results, "status");
        int? status = File.Exists(statusFile) && int.TryParse((await File.ReadAllTextAsync(statusFile, CancellationToken.None)).Trim(),
            NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : null;
        foreach (var (share, requested) in args.Outputs)
        {
            if (!File.Exists(share)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(requested)!);
            File.Copy(share, requested, overwrite: true);
        }
        Note(Timeline(stages, clock.Elapsed));
        KeepFacts(Path.Combine(results, "facts"), Path.Combine(logs, stem + ".facts"));

        if (result.Termination == Termination.Cancelled)
        {
            error.WriteLine("runner: interrupted; the L1 host and everything in it were stopped");
            return 130;
        }
        if (status is { } exit)
        {
            Directory.Delete(results, recursive: true);
            return exit;
        }

        var timedOut = result.Termination is Termination.IdleTimeout or Termination.HardTimeout;
        if (!timedOut && await L0Abort.FindAsync(result.Stderr, NestedArgs.Command(req.Args) ?? "", req.Paths.ErrataConfig, req.QemuPath, accel.Name) is { } known)
        {
            var at = part is null ? "before any announced part" : $"in {part}";
            output.WriteLine($"XFAIL l1-host ({where}): the L0 QEMU aborted {at}: {known.Line} — known host issue [{known.ErratumId}]: {known.Reason}");
            foreach (var (_, requested) in args.Outputs.Where(o => Path.GetExtension(o.Requested) == ".xml"))
                FailureJUnit(requested, $"XFAIL: L0 QEMU aborted {at} [{known.ErratumId}]");
            if (L0Abort.RetryArgs(req.Args, part, $"the L0 QEMU aborted in it ({known.Line}), known host issue [{known.ErratumId}]") is { } again)
            {
                Note($"booting L1 again without {part![(L0Abort.VmexitPart.Length)..]} (--leave-out): the cases before it are measured again");
                return await RunAsync(req with { Args = again }, output, error, cancel, progress);
            }
            return KnownL0AbortStatus;
        }
        var reached = stages.Count > 0 ? stages[^1].Stage.Split(':')[0] : "no stage (the kernel never reached init)";
        var why = failure ?? KernelCrash(consoleLog) ?? (timedOut ? result.TerminationDetail
            : $"L1 stopped without a result (QEMU exit {result.ExitStatus?.ToString(CultureInfo.InvariantCulture) ?? "none"})");
        var verdict = timedOut ? "TIMEOUT" : "FAIL";
        output.WriteLine($"{verdict} l1-host ({where}): {why}; last: {reached}");
        foreach (var line in Tail(consoleLog, ConsoleTail))
            output.WriteLine("  | " + line);
        foreach (var qemuError in result.Stderr.Take(5))
            output.WriteLine("  qemu: " + qemuError);
        foreach (var (_, requested) in args.Outputs.Where(o => Path.GetExtension(o.Requested) == ".xml"))
            FailureJUnit(requested, $"{verdict}: {why}; last: {reached}");
        return 1;
    }

    /// <summary>L1's /proc/cpuinfo and /sys/module/kvm*/parameters, as init copied them, next to its console log.</summary>
    static void KeepFacts(string from, string to)
    {
        if (!Directory.Exists(from)) return;
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    static string JobEnv(string results, string logs, IReadOnlyDictionary<string, IReadOnlyList<string>> kvmParams)
    {
        var sb = new StringBuilder();
        sb.Append("KTEST_RESULTS=").AppendLine(Quote(results));
        sb.Append("KTEST_LOGS=").AppendLine(Quote(logs));
        foreach (var module in KvmParams.Modules)
            sb.Append($"KTEST_PARAMS_{module}=").AppendLine(Quote(string.Join(' ', kvmParams.GetValueOrDefault(module) ?? [])));
        return sb.ToString();
    }

    static string JobScript(IReadOnlyList<string> innerArgs, string results, L1Accel accel, HostKernel kernel, long l0LoopNs)
    {
        var sb = new StringBuilder();
        var cwd = Environment.CurrentDirectory;
        sb.AppendLine($"cd {Quote(cwd)} || {{ echo \"{L1Prefix}failed: {cwd} is not reachable in L1\"; exit 0; }}");
        foreach (var name in KeptEnvironment)
            if (Environment.GetEnvironmentVariable(name) is { } value)
                sb.AppendLine($"export {name}={Quote(value)}");
        sb.AppendLine($"export {NestedHost.AccelVariable}={Quote(accel.Name)}");
        sb.AppendLine($"export {NestedHost.OriginVariable}={Quote(kernel.Origin)}");
        sb.AppendLine($"export {NestedHost.L0LoopVariable}={l0LoopNs.ToString(CultureInfo.InvariantCulture)}");
        sb.AppendLine($"export {NestedHost.CommandVariable}={Quote(NestedHost.Current.CommandLine)}");
        sb.AppendLine("export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NO_COLOR=1 TERM=dumb");
        sb.AppendLine(string.Join(' ', SelfCommand().Concat(innerArgs).Select(Quote)));
        sb.AppendLine($"echo $? > {Quote(Path.Combine(results, "status"))}");
        return sb.ToString();
    }

    /// <summary>This runner, as it was started: the apphost, or `dotnet runner.dll`.</summary>
    static IReadOnlyList<string> SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, typeof(NestedRunner).Assembly.Location]
            : [process];
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    static string Timeline(List<(string Stage, TimeSpan At)> stages, TimeSpan total)
    {
        var parts = stages.Select(s => $"{s.Stage.Split(':')[0].Replace("stage ", "", StringComparison.Ordinal)} at {s.At.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        return $"L1 timeline: {string.Join(", ", parts)}; total {total.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
    }

    /// <summary>The first line of an L1 kernel crash in its console (panic=-1 and -no-reboot make QEMU exit 0 after it).</summary>
    static string? KernelCrash(string consoleLog)
    {
        if (!File.Exists(consoleLog)) return null;
        string[] marks = ["Kernel panic", "Oops:", "BUG:", "general protection fault", "watchdog: BUG"];
        var line = File.ReadLines(consoleLog).FirstOrDefault(l => marks.Any(m => l.Contains(m, StringComparison.Ordinal)));
        return line is null ? null : "the L1 kernel crashed: " + line.Trim();
    }

    static IEnumerable<string> Tail(string file, int n)
    {
        if (!File.Exists(file)) return ["(no console output)"];
        return File.ReadAllLines(file).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).TakeLast(n);
    }

    static string RunLog(IReadOnlyList<string> argv, ProcessResult result)
    {
        var sb = new StringBuilder();
        sb.AppendLine("argv: " + string.Join(' ', argv));
        foreach (var line in result.Lines)
            sb.AppendLine($"[{line.At.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} {line.Stream}] {line.Text.TrimEnd('\r')}");
        sb.AppendLine($"ended: {result.Termination} {result.TerminationDetail} exit={result.ExitStatus?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        return sb.ToString();
    }

    static void FailureJUnit(string file, string message)
    {
        var doc = new XDocument(new XElement("testsuites",
            new XElement("testsuite", new XAttribute("name", "runner"), new XAttribute("tests", 1), new XAttribute("failures", 1),
                new XElement("testcase", new XAttribute("classname", JUnitWriter.KernelClass), new XAttribute("name", "l1-host"),
                    new XElement("failure", new XAttribute("message", message))))));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        doc.Save(file);
    }
}
