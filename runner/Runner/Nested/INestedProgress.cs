namespace Runner.Nested;

/// <summary>What an L1 host run tells a live display as it goes (the display lives in Reporting).</summary>
public interface INestedProgress
{
    void Preparing(string what);
    void Booting(string where);
    /// <summary>A `stage NAME: ...` line from L1's init.</summary>
    void Stage(string said);
    /// <summary>A line of the inner runner's output.</summary>
    void InnerLine(string text);
}
