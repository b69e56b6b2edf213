namespace Runner.Bench;

/// <summary>How a benchmark command ended; the CLI maps it to an exit code.</summary>
public enum BenchVerdict
{
    Success,
    /// <summary>A run failed, a column failed its checks, or a host change could not be undone.</summary>
    Failed,
    /// <summary>Stopped by a signal: the figures hold only what finished.</summary>
    Interrupted,
    /// <summary>The user asked for something the kernel does not have (e.g. a vmexit case).</summary>
    UsageError,
}
