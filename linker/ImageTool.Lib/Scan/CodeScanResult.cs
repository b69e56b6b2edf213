namespace ImageTool;

/// <param name="InstructionCount">Valid instructions decoded, padding (int3, nop) included.</param>
public sealed record CodeScanResult(int InstructionCount, IReadOnlyList<CodeFinding> Findings);
