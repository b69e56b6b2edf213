using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Runner.Protocol;

namespace Runner.Execution;

/// <summary>
/// Runs one child (QEMU) from an argv, streams its lines, and enforces the limits. The
/// child is always killed before this returns, whatever happened, because QEMU can
/// outlive the guest's usefulness (paused after a KVM error, or hung).
/// </summary>
public static class ProcessRunner
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);
    static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(2);

    /// <exception cref="UserErrorException">the program cannot be started</exception>
    public static async Task<ProcessResult> RunAsync(
        IReadOnlyList<string> argv,
        ProcessLimits limits,
        Action<OutputLine>? onLine = null,
        CancellationToken cancel = default)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            // A redirected stdin keeps QEMU's `-serial stdio` from switching the user's terminal to raw mode.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in argv.Skip(1))
            psi.ArgumentList.Add(arg);

        using var process = new Process { StartInfo = psi };
        var clock = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new UserErrorException($"cannot start {argv[0]}: {e.Message}: check the path (or RUNNER_QEMU) points at an executable");
        }
        ChildProcesses.Add(process);

        var lines = new List<OutputLine>();
        long lastOutputTicks = clock.Elapsed.Ticks;
        long kvmErrorTicks = -1;

        void Receive(OutputStream stream, string text)
        {
            var line = new OutputLine(stream, text, clock.Elapsed);
            lock (lines) lines.Add(line);
            Interlocked.Exchange(ref lastOutputTicks, line.At.Ticks);
            if (text.Contains(VerdictJudge.KvmInternalErrorText, StringComparison.Ordinal))
                Interlocked.CompareExchange(ref kvmErrorTicks, line.At.Ticks, -1);
            onLine?.Invoke(line);
        }

        var pumps = Task.WhenAll(
            Pump(process.StandardOutput, OutputStream.Stdout, Receive),
            Pump(process.StandardError, OutputStream.Stderr, Receive));
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
                    (termination, detail) = (Termination.Cancelled, "stopped by Ctrl-C or SIGTERM");
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
            await Task.WhenAny(exited, Task.Delay(DrainWait, CancellationToken.None));
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

    static async Task Pump(StreamReader reader, OutputStream stream, Action<OutputStream, string> receive)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
                receive(stream, line);
        }
        catch (IOException) { /* pipe torn down by the kill */ }
        catch (ObjectDisposedException) { /* same */ }
    }

    static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
