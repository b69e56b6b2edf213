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

    readonly string _control;
    readonly string _ack;
    FileStream? _controlStream;
    FileStream? _ackStream;

    PerfTracepoints(Process perf, string output, IReadOnlyList<string> events, string control, string ack)
    {
        _perf = perf;
        _output = output;
        _events = events;
        _control = control;
        _ack = ack;
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

    /// <summary>
    /// Starts counting <paramref name="events"/> (that exist here) in process <paramref name="pid"/>,
    /// and returns once perf has attached and enabled them. perf starts with its events
    /// disabled (`-D -1`) and enables them on a command through its control FIFO; its ack on
    /// the second FIFO is the proof that counting has begun. Without that handshake perf
    /// may still be starting while the measured interval runs: on a slow host (an L1 under
    /// TCG) it missed nearly all of it.
    /// </summary>
    public static async Task<PerfTracepoints> StartAsync(int pid, IReadOnlyList<string> events, string scratchDir, TimeSpan timeout)
    {
        var stem = Path.Combine(scratchDir, $"perf-{pid}-{Guid.NewGuid():N}");
        var output = stem + ".csv";
        var control = stem + ".ctl";
        var ack = stem + ".ack";
        foreach (var fifo in new[] { control, ack })
            if (mkfifo(fifo, 0x180) != 0)
                throw new IOException($"mkfifo {fifo} failed (errno {Marshal.GetLastPInvokeError()})");
        var psi = new ProcessStartInfo(FindPerf() ?? "perf")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "stat", "-x", ",", "--no-big-num", "-o", output, "-D", "-1", "--control", $"fifo:{control},{ack}",
                     "-p", pid.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        foreach (var e in events)
        {
            psi.ArgumentList.Add("-e");
            psi.ArgumentList.Add(e);
        }
        var perf = Process.Start(psi) ?? throw new InvalidOperationException("perf did not start");
        var counter = new PerfTracepoints(perf, output, events, control, ack);
        try
        {
            await counter.OpenFifosAsync(timeout);
            await counter.CommandAsync("enable", timeout);
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            await counter.StopAsync(timeout);
            throw new IOException($"perf stat could not start counting: {e.Message}");
        }
        return counter;
    }

    /// <summary>
    /// Opens both FIFOs once, for perf's whole life: an ack written while no reader has the
    /// FIFO open would kill perf with SIGPIPE. Each open blocks until perf opens the other end.
    /// </summary>
    async Task OpenFifosAsync(TimeSpan timeout)
    {
        var open = Task.Run(() =>
        {
            _controlStream = new FileStream(_control, FileMode.Open, FileAccess.Write);
            _ackStream = new FileStream(_ack, FileMode.Open, FileAccess.Read);
        });
        if (await Task.WhenAny(open, Task.Delay(timeout)) != open)
        {
            // A read-write open of a FIFO never blocks; it releases the open still waiting.
            foreach (var fifo in new[] { _control, _ack })
                if (open_fifo(fifo, O_RDWR) is var fd and >= 0) close(fd);
            await open.ContinueWith(_ => { });
            throw new TimeoutException($"perf did not open its control FIFOs within {timeout.TotalSeconds:0} s{ExitNote()}");
        }
        await open;
    }

    /// <summary>Sends perf one control command and waits for its ack.</summary>
    async Task CommandAsync(string command, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _controlStream!.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command + "\n"), cts.Token);
            await _controlStream.FlushAsync(cts.Token);
            var buffer = new byte[16];
            int n = await _ackStream!.ReadAsync(buffer, cts.Token);
            var answer = System.Text.Encoding.ASCII.GetString(buffer, 0, n);
            if (!answer.StartsWith("ack", StringComparison.Ordinal))
                throw new IOException($"perf answered \"{answer.Trim()}\" to \"{command}\"{ExitNote()}");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"perf did not acknowledge \"{command}\" within {timeout.TotalSeconds:0} s{ExitNote()}");
        }
    }

    string ExitNote() => _perf.HasExited ? $" (perf exited {_perf.ExitCode}: {_perf.StandardError.ReadToEnd().Trim()})" : "";

    const int O_RDWR = 2;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    static extern int open_fifo(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    static extern int mkfifo(string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);
    const int SIGINT = 2;

    /// <summary>
    /// Disables the events (so nothing after the interval is counted), then stops perf
    /// (SIGINT makes it print its totals) and returns each event's count; null = not counted.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long?>> StopAsync(TimeSpan timeout)
    {
        if (!_perf.HasExited && _controlStream is not null)
        {
            try { await CommandAsync("disable", timeout); }
            catch (Exception e) when (e is IOException or TimeoutException) { /* the totals below still come */ }
        }
        _controlStream?.Dispose();
        _ackStream?.Dispose();
        if (!_perf.HasExited) kill(_perf.Id, SIGINT);
        using var cts = new CancellationTokenSource(timeout);
        try { await _perf.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { _perf.Kill(); }
        var text = File.Exists(_output) ? await File.ReadAllTextAsync(_output) : "";
        foreach (var f in new[] { _output, _control, _ack })
            File.Delete(f);
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
