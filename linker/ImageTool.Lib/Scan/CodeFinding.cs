namespace ImageTool;

/// <param name="Instruction">Intel-syntax text, or "(bad)" with the bytes for undecodable code.</param>
/// <param name="Reason">Why it was flagged, e.g. "SSE xmm0", "x87", "MXCSR".</param>
public sealed record CodeFinding(FindingKind Kind, ulong Address, int Length, string Instruction, string Reason);
