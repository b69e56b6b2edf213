namespace Runner.Processes;

/// <summary>
/// Talking back to a running child. QEMU's `-serial stdio` makes the child's stdin the
/// guest's serial input, so text written there reaches the guest (docs/protocol.md `#kt sync`).
/// </summary>
public sealed record ProcessInteraction
{
    /// <summary>Called once the child started, with a probe that tells whether it still runs.</summary>
    public Action<Func<bool>>? Started { get; init; }

    /// <summary>Called once the child started, with its process id (for tools that attach to it, such as perf).</summary>
    public Action<int>? StartedPid { get; init; }

    /// <summary>
    /// Called for every stdout line, in order, before the next line is read. Text it returns
    /// is written to the child's stdin; null writes nothing. It must bound its own waits.
    /// </summary>
    public Func<string, CancellationToken, Task<string?>>? Respond { get; init; }
}
