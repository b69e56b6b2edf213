namespace Runner.Protocol;

/// <summary>
/// QEMU's exit status for a guest that used isa-debug-exit: the guest's value v becomes
/// (v &lt;&lt; 1) | 1, so the protocol's 0/1/2 arrive as 1/3/5 (docs/protocol.md).
/// </summary>
public static class GuestExitStatus
{
    public const int AllPassed = 1;
    public const int SomeFailed = 3;
    public const int AllSkipped = 5;

    public static int Expected(int pass, int fail) =>
        fail > 0 ? SomeFailed : pass > 0 ? AllPassed : AllSkipped;

    public static string Describe(int? status) => status switch
    {
        null => "QEMU did not exit",
        AllPassed => "QEMU exit status 1 (guest: all passed)",
        SomeFailed => "QEMU exit status 3 (guest: failures)",
        AllSkipped => "QEMU exit status 5 (guest: all skipped)",
        0 => "QEMU exit status 0 (the guest never wrote isa-debug-exit; QEMU quit on its own)",
        // .NET reports a signal death as 128 + signal number.
        > 128 => $"QEMU exit status {status} (killed by signal {status - 128}, or QEMU aborted)",
        _ => $"QEMU exit status {status} (QEMU itself failed)",
    };
}
