namespace Runner.Processes;

/// <summary>Stdout/Stderr are the child's; Runner lines are the runner's own notes on the exchange (answers to sync lines).</summary>
public enum OutputStream { Stdout, Stderr, Runner }

/// <summary>One line from the child, in arrival order, with the time since start (for logs).</summary>
public sealed record OutputLine(OutputStream Stream, string Text, TimeSpan At);
