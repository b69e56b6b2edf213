using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Runner.Host;
using Runner.Protocol;

namespace Runner.Processes;

/// <summary>
/// Runs one child (QEMU) from an argv, streams its lines, and enforces the limits. The
/// child is always killed before this returns, whatever happened, because QEMU can
/// outlive the guest's usefulness (paused after a KVM error, or hung).
/// </summary>
public static class ProcessRunner
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);
    static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(2);
    // A SIGKILLed QEMU is gone only when the kernel has torn its VM down, which on a loaded
    // host took longer than DrainWait: the test is not over (and the runner may not exit)
    // while its QEMU still exists.
    static readonly TimeSpan KillWait = TimeSpan.FromSeconds(15);

    /// <exception cref="UserErrorException">the program cannot be started</exception>
    public static async Task<ProcessResult> RunAsync(
        IReadOnlyList<string> argv,
        ProcessLimits limits,
        Action<OutputLine>? onLine = null,
        CancellationToken cancel = default,
        ProcessInteraction? interaction = null)
    {
        // Limits are tuned on an ordinary host; inside a slower L1 they stretch by its measured slowdown.
        limits = limits.Stretched(NestedHost.Current.TimeScale);
        var program = ChildWrapper.Which(argv[0])
            ?? throw new UserErrorException($"cannot start {argv[0]}: no such executable: check the path (or RUNNER_QEMU) points at an executable");
        var wrapper = ChildWrapper.ArgvPrefix;
        var psi = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : program)
        {
            UseShellExecute = false,
            // A redirected stdin keeps QEMU's `-serial stdio` from switching the user's terminal to raw mode.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // One char per byte: whatever the guest sends arrives intact, to be escaped (PrintableText).
            StandardOutputEncoding = Encoding.Latin1,
            StandardErrorEncoding = Encoding.Latin1,
        };
        foreach (var arg in wrapper.Skip(1).Append(program).Concat(argv.Skip(1)))
            psi.ArgumentList.Add(arg);

        using var process = new Process { StartInfo = psi };
        var clock = Stopwatch.StartNew();
        try
        {
            await SpawnThread.StartAsync(process);
        }
        catch (Win32Exception e)
        {
            throw new UserErrorException($"cannot start {argv[0]}: {e.Message}: check the path (or RUNNER_QEMU) points at an executable");
        }
        ChildProcesses.Add(process);
        interaction?.Started?.Invoke(() => !HasExited(process));
        interaction?.StartedPid?.Invoke(process.Id);

        var lines = new List<OutputLine>();
        long lastOutputTicks = clock.Elapsed.Ticks;
        long kvmErrorTicks = -1;
        int begins = 0, stdoutLines = 0;
        string? stopReason = null;
        var stopKind = Termination.None;

        void Stop(Termination kind, string why)
        {
            lock (lines)
            {
                if (stopReason is not null) return;
                (stopKind, stopReason) = (kind, why);
            }
        }

        void Receive(OutputStream stream, string raw)
        {
            var text = PrintableText.Escape(raw);
            var line = new OutputLine(stream, text, clock.Elapsed);
            if (stream == OutputStream.Stdout)
            {
                int n = Interlocked.Increment(ref stdoutLines);
                // QEMU reboots a guest that triple-faults unless told -no-reboot (a config may drop it):
                // a second start line means the run is over, however long the reboots would go on.
                if (text.StartsWith(ProtocolLineParser.Prefix + "begin ", StringComparison.Ordinal) && Interlocked.Increment(ref begins) == 2)
                    Stop(Termination.GuestReset, $"a second `#kt begin` at line {n}: the guest reset and started over");
            }
            lock (lines) lines.Add(line);
            Interlocked.Exchange(ref lastOutputTicks, line.At.Ticks);
            if (text.Contains(VerdictJudge.KvmInternalErrorText, StringComparison.Ordinal))
                Interlocked.CompareExchange(ref kvmErrorTicks, line.At.Ticks, -1);
            onLine?.Invoke(line);
        }

        // Runs before the next stdout line is read: a guest waiting at a sync point sends
        // nothing more until it is answered, so nothing is held up that could have come.
        async Task Respond(string text)
        {
            if (interaction?.Respond is not { } respond) return;
            var started = clock.Elapsed;
            string? answer;
            try
            {
                answer = await respond(text, cancel);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Note($"line handler failed ({e.GetType().Name}: {e.Message}); answering anyway so the guest does not wait");
                answer = text.StartsWith(ProtocolLineParser.Prefix + "sync ", StringComparison.Ordinal) ? "\n" : null;
            }
            if (answer is null) return;
            try
            {
                await process.StandardInput.WriteAsync(answer);
                await process.StandardInput.FlushAsync();
                Note($"answered \"{text.Trim()}\" after {(clock.Elapsed - started).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms");
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                Note($"could not answer \"{text.Trim()}\": the child's stdin is closed ({e.Message})");
            }
        }

        void Note(string text)
        {
            var line = new OutputLine(OutputStream.Runner, text, clock.Elapsed);
            lock (lines) lines.Add(line);
            // The guest is waiting for the runner, not hung: the handler's time is not idle time.
            Interlocked.Exchange(ref lastOutputTicks, line.At.Ticks);
            onLine?.Invoke(line);
        }

        void Overlong(OutputStream stream, int length)
        {
            int n = Volatile.Read(ref stdoutLines) + 1;
            Stop(Termination.OverlongLine, stream == OutputStream.Stdout
                ? $"overlong line {n}: more than {limits.MaxLineChars} bytes without a newline (the protocol's limit, docs/protocol.md)"
                : $"QEMU wrote more than {limits.MaxLineChars} bytes to stderr without a newline");
        }

        var pumps = Task.WhenAll(
            Pump(process.StandardOutput, OutputStream.Stdout, limits.MaxLineChars, Receive, Respond, Overlong),
            Pump(process.StandardError, OutputStream.Stderr, limits.MaxLineChars, Receive, null, Overlong));
        var exited = process.WaitForExitAsync(CancellationToken.None);

        var termination = Termination.None;
        string detail = "";
        try
        {
            while (!exited.IsCompleted)
            {
                await Task.WhenAny(exited, Task.Delay(Poll, CancellationToken.None));
                if (exited.IsCompleted) break;

                var now = clock.Elapsed;
                var idle = now - TimeSpan.FromTicks(Interlocked.Read(ref lastOutputTicks));
                long kvmAt = Interlocked.Read(ref kvmErrorTicks);
                if (cancel.IsCancellationRequested)
                    (termination, detail) = (Termination.Cancelled, CancelledDetail(now));
                else if (Volatile.Read(ref stopReason) is { } why)
                    (termination, detail) = (stopKind, why);
                else if (kvmAt >= 0 && now - TimeSpan.FromTicks(kvmAt) >= limits.KvmErrorGrace)
                    (termination, detail) = (Termination.KvmInternalError, "QEMU reported a KVM internal error and paused; killed");
                else if (idle >= limits.Idle)
                    (termination, detail) = (Termination.IdleTimeout, $"no output for {Seconds(idle)} (timeout {Seconds(limits.Idle)})");
                else if (now >= limits.Hard)
                    (termination, detail) = (Termination.HardTimeout, $"still running after {Seconds(now)} (hard cap {Seconds(limits.Hard)})");

                if (termination != Termination.None)
                {
                    ChildProcesses.Kill(process);
                    break;
                }
            }
            // Ctrl-C kills every child at once: a QEMU that died of it was interrupted, whatever its status says.
            if (termination == Termination.None && cancel.IsCancellationRequested)
                (termination, detail) = (Termination.Cancelled, CancelledDetail(clock.Elapsed));
            if (termination == Termination.None && Volatile.Read(ref stopReason) is { } late)
                (termination, detail) = (stopKind, late);
            await Task.WhenAny(exited, Task.Delay(KillWait, CancellationToken.None));
            if (!exited.IsCompleted)
                Note($"QEMU (pid {process.Id}) had not exited {Seconds(KillWait)} after it was killed");
            // Output written just before exit is still in the pipe; wait for EOF, but not forever
            // in case a grandchild we could not kill keeps the pipe open.
            await Task.WhenAny(pumps, Task.Delay(DrainWait, CancellationToken.None));
        }
        finally
        {
            ChildProcesses.Kill(process);
            ChildProcesses.Remove(process);
        }

        int? status = termination == Termination.None && process.HasExited ? process.ExitCode : null;
        List<OutputLine> snapshot;
        lock (lines) snapshot = [.. lines];
        return new ProcessResult(snapshot, status, termination, detail, clock.Elapsed);
    }

    static string CancelledDetail(TimeSpan at) => $"stopped by {ChildProcesses.InterruptReason} after {Seconds(at)}";

    static async Task Pump(StreamReader reader, OutputStream stream, int maxLineChars, Action<OutputStream, string> receive, Func<string, Task>? respond,
                           Action<OutputStream, int> overlong)
    {
        var buffer = new char[8192];
        var line = new StringBuilder();
        try
        {
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
            {
                int start = 0;
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] != '\n') continue;
                    line.Append(buffer, start, i - start);
                    start = i + 1;
                    var text = line.ToString().TrimEnd('\r');
                    line.Clear();
                    receive(stream, text);
                    if (respond is not null)
                        await respond(text);
                }
                line.Append(buffer, start, n - start);
                if (line.Length > maxLineChars)
                {
                    // Keep the start as evidence; stop reading (the runner kills the child).
                    overlong(stream, line.Length);
                    receive(stream, line.ToString(0, 200) + $"... [cut: over {maxLineChars} bytes without a newline]");
                    return;
                }
            }
            if (line.Length > 0)
                receive(stream, line.ToString().TrimEnd('\r'));
        }
        catch (IOException) { /* pipe torn down by the kill */ }
        catch (ObjectDisposedException) { /* same */ }
    }

    static bool HasExited(Process p)
    {
        try { return p.HasExited; }
        catch (InvalidOperationException) { return true; }
    }

    static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
