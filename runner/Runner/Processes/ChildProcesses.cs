using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Runner.Processes;

/// <summary>
/// Every process the runner starts, so that Ctrl-C, SIGTERM or a crash of the runner never
/// leaves a QEMU behind: a QEMU that hit "KVM internal error" pauses forever and would
/// otherwise hold a vCPU thread and its memory until someone notices.
/// </summary>
public static class ChildProcesses
{
    static readonly object Gate = new();
    static readonly HashSet<Process> Live = [];
    static bool _shuttingDown;
    static int _installed;
    static readonly CancellationTokenSource Interrupt = new();
    // Kept alive for the life of the process; disposing one unregisters its handler.
    static readonly List<PosixSignalRegistration> Registrations = [];

    /// <summary>Cancelled on the first Ctrl-C, SIGTERM or SIGHUP; running tests stop and the runner reports what it has and exits.</summary>
    public static CancellationToken InterruptToken => Interrupt.Token;

    static volatile string _reason = "the runner being stopped";
    static int _signal;

    /// <summary>What stopped the run, for reasons and partial-result markers ("Ctrl-C (SIGINT)", "SIGTERM").</summary>
    public static string InterruptReason => _reason;

    /// <summary>The exit status for an interrupted run: the shell's 128 + signal number.</summary>
    public static int InterruptExitCode => 128 + (Volatile.Read(ref _signal) is var s and > 0 ? s : SigInt);

    const int SigInt = 2, SigTerm = 15, SigHup = 1;

    /// <summary>Stops the run as Ctrl-C does (for a SIGTERM that must not end the runner before it cleans up).</summary>
    public static void RequestInterrupt(string reason = "the runner being stopped", int signal = SigInt)
    {
        if (!Interrupt.IsCancellationRequested)
        {
            _reason = reason;
            Volatile.Write(ref _signal, signal);
            Interrupt.Cancel();
        }
        KillAll();
    }

    /// <summary>Hooks Ctrl-C, SIGTERM, SIGHUP and process exit once per process; removes what dead runners left.</summary>
    public static void InstallHandlers()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
            return;
        ScratchDirs.ReapDead();

        // The first signal stops the QEMUs and lets the runner write what it has (console, JUnit,
        // JSON, marked partial); a second one while that is still going ends the runner at once.
        Console.CancelKeyPress += (_, e) =>
        {
            if (!Interrupt.IsCancellationRequested)
                e.Cancel = true;
            RequestInterrupt("Ctrl-C (SIGINT)", SigInt);
        };
        foreach (var (signal, name, number) in new[] { (PosixSignal.SIGTERM, "SIGTERM", SigTerm), (PosixSignal.SIGHUP, "SIGHUP", SigHup) })
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                if (!Interrupt.IsCancellationRequested)
                    context.Cancel = true;
                RequestInterrupt(name, number);
            }));
        // SIGQUIT keeps its default (terminate at once), with the children killed first.
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, _ => KillAll()));
        // A normal exit and an unhandled exception pass through here.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
    }

    /// <summary>Registers a started process; kills it at once if the runner is already shutting down.</summary>
    public static void Add(Process process)
    {
        lock (Gate)
        {
            if (!_shuttingDown)
            {
                Live.Add(process);
                return;
            }
        }
        Kill(process);
    }

    public static void Remove(Process process)
    {
        lock (Gate) Live.Remove(process);
    }

    /// <summary>Whether a process id is still registered (tests check nothing leaks).</summary>
    public static bool IsTracked(int pid)
    {
        lock (Gate)
        {
            foreach (var p in Live)
            {
                try { if (p.Id == pid) return true; }
                catch (InvalidOperationException) { }
            }
            return false;
        }
    }

    public static void KillAll()
    {
        Process[] victims;
        lock (Gate)
        {
            _shuttingDown = true;
            victims = [.. Live];
        }
        foreach (var p in victims)
            Kill(p);
        ScratchDirs.DeleteAll();
    }

    /// <summary>Kills the process and its descendants (a wrapper script's children too); never throws.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* already gone */ }
        catch (System.ComponentModel.Win32Exception) { /* exited while we looked */ }
    }
}
