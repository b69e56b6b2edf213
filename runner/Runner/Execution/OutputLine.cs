namespace Runner.Execution;

public enum OutputStream { Stdout, Stderr }

/// <summary>One line from the child, in arrival order, with the time since start (for logs).</summary>
public sealed record OutputLine(OutputStream Stream, string Text, TimeSpan At);
