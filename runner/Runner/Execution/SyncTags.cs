namespace Runner.Execution;

/// <summary>The `#kt sync` tags the kernels use (kernel/lib/Report.cs spells the same).</summary>
public static class SyncTags
{
    public const string BaselineBegin = "baseline-begin";
    public const string BaselineEnd = "baseline-end";
    public const string MeasureBegin = "measure-begin";
    public const string MeasureEnd = "measure-end";
    /// <summary>Right before `end`: the two readings differ by exactly one handshake.</summary>
    public const string Handshake = "handshake";
}
