namespace Runner.Processes;

/// <summary>
/// When to give up on a child: Idle is "no output for this long" (a hung guest),
/// Hard is the wall-clock cap (a guest that loops while printing).
/// </summary>
public sealed record ProcessLimits(TimeSpan Idle, TimeSpan Hard)
{
    /// <summary>How long to keep reading after "KVM internal error" so QEMU's register dump reaches the log.</summary>
    public TimeSpan KvmErrorGrace { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The protocol's longest line (docs/protocol.md): guest lines are short, and one that never ends must not fill memory or look like silence.</summary>
    public const int GuestMaxLineChars = 8 * 1024;

    /// <summary>A longer line stops the child (<see cref="Protocol.Termination.OverlongLine"/>).</summary>
    public int MaxLineChars { get; init; } = GuestMaxLineChars;

    /// <summary>Both limits stretched by <paramref name="factor"/> (a slower host, such as an L1 under TCG).</summary>
    public ProcessLimits Stretched(double factor) => factor <= 1 ? this
        : this with { Idle = TimeSpan.FromTicks((long)(Idle.Ticks * factor)), Hard = TimeSpan.FromTicks((long)(Hard.Ticks * factor)) };

    /// <summary>Default hard cap: ten idle periods, at least a minute.</summary>
    public static ProcessLimits ForIdle(TimeSpan idle, TimeSpan? hard = null) =>
        new(idle, hard ?? TimeSpan.FromTicks(Math.Max(idle.Ticks * 10, TimeSpan.FromMinutes(1).Ticks)));
}
