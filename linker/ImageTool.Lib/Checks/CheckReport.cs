namespace ImageTool;

/// <summary>A finding with the place it was found, e.g. "Selftest_Main+0x1a".</summary>
public sealed record LocatedFinding(string Location, CodeFinding Finding);

/// <summary>Everything <c>imagetool check</c> found; <see cref="Passed"/> decides the exit code.</summary>
public sealed record CheckReport(
    int InstructionCount,
    int FunctionCount,
    IReadOnlyList<LocatedFinding> StateFindings,
    IReadOnlyList<LocatedFinding> InvalidInstructions,
    ulong? PvhEntry,
    string? PvhProblem,
    IReadOnlyList<ElfSymbol> UndefinedSymbols,
    ulong ImageBytes,
    ulong MemoryBytes,
    IReadOnlyList<string>? LightHandlerProblems = null)
{
    public bool Passed =>
        StateFindings.Count == 0 && InvalidInstructions.Count == 0 && PvhProblem is null && UndefinedSymbols.Count == 0
        && (LightHandlerProblems?.Count ?? 0) == 0;
}
