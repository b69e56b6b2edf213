using System.Runtime.InteropServices;

namespace Runner.Processes;

/// <summary>
/// While held, SIGTERM and SIGHUP request an orderly interrupt instead of ending the runner:
/// for work that must undo a host change (a KVM module reload) before the runner exits.
/// </summary>
public sealed class DeferredTermination : IDisposable
{
    readonly List<PosixSignalRegistration> _registrations = [];

    DeferredTermination(bool active)
    {
        if (!active) return;
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            _registrations.Add(PosixSignalRegistration.Create(signal, ctx => { ctx.Cancel = true; ChildProcesses.RequestInterrupt(); }));
    }

    /// <summary>Defers termination when <paramref name="active"/>; otherwise holds nothing.</summary>
    public static DeferredTermination While(bool active) => new(active);

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
