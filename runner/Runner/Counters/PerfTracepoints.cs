using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Runner.Counters;

/// <summary>
/// Counts KVM tracepoints (`kvm:kvm_exit`, `kvm:kvm_msr`, ...) for one QEMU process with
/// `perf stat -p PID`, between <see cref="Start"/> and <see cref="StopAsync"/>: the
/// method of the KVM PV-EOI patch's evidence (`perf stat -e 'kvm:*'`). Needs perf, the
/// right to trace (root, or a permissive perf_event_paranoid) and tracefs; when any is
/// missing, <see cref="WhyUnavailable"/> says which and how to fix it.
/// </summary>
public sealed class PerfTracepoints
{
    readonly Process _perf;
    readonly string _output;
    readonly IReadOnlyList<string> _events;

    PerfTracepoints(Process perf, string output, IReadOnlyList<string> events)
    {
        _perf = perf;
        _output = output;
        _events = events;
    }

    public const string TracefsEvents = "sys/kernel/tracing/events";

    /// <summary>Null when perf can count KVM tracepoints here; else why not, with the fix.</summary>
    public static string? WhyUnavailable(string sysRoot = "/")
    {
        if (FindPerf() is null)
            return "perf not installed: apt-get install linux-perf";
        if (!Directory.Exists(Path.Combine(sysRoot, TracefsEvents, "kvm")))
            return $"no KVM tracepoints under /{TracefsEvents}/kvm: mount tracefs (mount -t tracefs nodev /sys/kernel/tracing) and load kvm";
        if (Environment.UserName != "root" && ReadParanoid(sysRoot) is > -1)
            return "tracepoints need root or kernel.perf_event_paranoid=-1: run as root or sysctl kernel.perf_event_paranoid=-1";
        return null;
    }

    /// <summary>Whether this kernel has the tracepoint (a missing one is reported as unavailable, never as 0).</summary>
    public static bool Exists(string name, string sysRoot = "/") =>
        Directory.Exists(Path.Combine(sysRoot, TracefsEvents, "kvm", name.StartsWith("kvm:", StringComparison.Ordinal) ? name[4..] : name));

    static int? ReadParanoid(string sysRoot)
    {
        var path = Path.Combine(sysRoot, "proc/sys/kernel/perf_event_paranoid");
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var v) ? v : null;
    }

    static string? FindPerf() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "perf")).FirstOrDefault(File.Exists);

    /// <summary>Starts counting <paramref name="events"/> (that exist here) in process <paramref name="pid"/>.</summary>
    public static PerfTracepoints Start(int pid, IReadOnlyList<string> events, string scratchDir)
    {
        var output = Path.Combine(scratchDir, $"perf-{pid}-{Guid.NewGuid():N}.csv");
        var psi = new ProcessStartInfo(FindPerf() ?? "perf")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "stat", "-x", ",", "--no-big-num", "-o", output, "-p", pid.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        foreach (var e in events)
        {
            psi.ArgumentList.Add("-e");
            psi.ArgumentList.Add(e);
        }
        var perf = Process.Start(psi) ?? throw new InvalidOperationException("perf did not start");
        return new PerfTracepoints(perf, output, events);
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);
    const int SIGINT = 2;

    /// <summary>Stops perf (SIGINT makes it print its totals) and returns each event's count; null = not counted.</summary>
    public async Task<IReadOnlyDictionary<string, long?>> StopAsync(TimeSpan timeout)
    {
        if (!_perf.HasExited) kill(_perf.Id, SIGINT);
        using var cts = new CancellationTokenSource(timeout);
        try { await _perf.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { _perf.Kill(); }
        var text = File.Exists(_output) ? await File.ReadAllTextAsync(_output) : "";
        File.Delete(_output);
        return Parse(text, _events);
    }

    /// <summary>Parses `perf stat -x,` output: `value,unit,event,...`; `&lt;not counted&gt;` and absent events are null.</summary>
    public static IReadOnlyDictionary<string, long?> Parse(string csv, IReadOnlyList<string> events)
    {
        var result = events.ToDictionary(e => e, _ => (long?)null, StringComparer.Ordinal);
        foreach (var raw in csv.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var fields = line.Split(',');
            if (fields.Length < 3) continue;
            var name = fields[2];
            if (!result.ContainsKey(name)) continue;
            result[name] = long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        return result;
    }
}
