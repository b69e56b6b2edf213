using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Runner.Execution;

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

    /// <summary>Cancelled on the first Ctrl-C; running tests stop and the runner reports and exits.</summary>
    public static CancellationToken InterruptToken => Interrupt.Token;

    /// <summary>Stops the run as Ctrl-C does (for a SIGTERM that must not end the runner before it cleans up).</summary>
    public static void RequestInterrupt()
    {
        if (!Interrupt.IsCancellationRequested) Interrupt.Cancel();
        KillAll();
    }

    /// <summary>Hooks Ctrl-C and process exit once per process.</summary>
    public static void InstallHandlers()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
            return;

        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl-C: stop the QEMUs and let the runner print what it has.
            // A second one while that is still going: give up and exit at once.
            if (!Interrupt.IsCancellationRequested)
            {
                e.Cancel = true;
                Interrupt.Cancel();
            }
            KillAll();
        };
        // SIGTERM and SIGHUP terminate the runner without running ProcessExit, so they get
        // their own handlers; not cancelling the signal lets the default termination follow.
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            Registrations.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
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
