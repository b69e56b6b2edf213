namespace ImageTool;

/// <summary>
/// The <c>check</c> and <c>disasm</c> commands as a library, for the runner and for tests. Exit
/// codes: 0 success, 1 the image failed a check, 2 bad input (message already printed).
/// </summary>
public static class ImageCommands
{
    public const int Success = 0;
    public const int CheckFailed = 1;
    public const int BadInput = 2;

    public static int Check(string elfPath, TextWriter output) =>
        Guard(output, output, () => CheckOrThrow(elfPath, output));

    /// <param name="symbol">Exact name or unique substring; null lists all functions.</param>
    /// <param name="syntax">"intel" or "gas".</param>
    /// <param name="calls">Also every function it reaches by direct CALL/JMP (<see cref="CallFollower"/>).</param>
    public static int Disasm(string elfPath, string? symbol, string syntax, TextWriter output, bool calls = false) =>
        Guard(output, output, () => DisasmOrThrow(elfPath, symbol, syntax, listOnly: false, output, calls));

    /// <summary>Runs <paramref name="command"/>, turning bad input into one line on <paramref name="error"/>.</summary>
    public static int Guard(TextWriter output, TextWriter error, Func<int> command)
    {
        try
        {
            return command();
        }
        catch (ImageToolException e)
        {
            output.Flush();
            error.WriteLine($"imagetool: {e.Message}");
            return BadInput;
        }
    }

    public static int LayoutOrThrow(string assemblyPath, IReadOnlyList<string> sources, TextWriter output)
    {
        var claims = new List<Layout.LayoutClaim>();
        foreach (var source in sources)
        {
            if (!File.Exists(source)) throw new ImageToolException($"{source} not found: give the NASM sources and includes to check");
            claims.AddRange(Layout.LayoutClaim.Parse(source, File.ReadAllText(source)));
        }
        using var layout = Layout.ManagedLayout.Load(assemblyPath);
        var result = Layout.LayoutCheck.Run(layout, claims);
        foreach (var line in result.Disagreements) output.WriteLine($"imagetool: {line}");
        output.WriteLine($"imagetool: {assemblyPath} layout: {result.Checked} NASM claim(s) checked, {result.Elsewhere} about types it does not define, {result.Disagreements.Count} disagree");
        return result.Disagreements.Count == 0 ? Success : CheckFailed;
    }

    public static int CheckOrThrow(string elfPath, TextWriter output)
    {
        var image = ElfImage.Load(elfPath);
        var report = ImageCheck.Run(image);
        CheckReportWriter.Write(elfPath, report, output);
        return report.Passed ? Success : CheckFailed;
    }

    /// <param name="listOnly">List the matching functions instead of disassembling one.</param>
    public static int DisasmOrThrow(string elfPath, string? symbol, string syntax, bool listOnly, TextWriter output, bool calls = false)
    {
        // Validate the syntax before doing any work so a typo fails the same way with or without a symbol.
        InstructionText.CreateFormatter(syntax);
        var image = ElfImage.Load(elfPath);
        var functions = CodeLayout.Build(image).Functions;

        if (symbol is null || listOnly)
        {
            var shown = symbol is null ? functions : SymbolLookup.Find(functions, symbol);
            if (shown.Count == 0)
            {
                throw NoSuchSymbol(elfPath, symbol, functions);
            }

            output.WriteLine($"{elfPath}: {shown.Count} function(s) (address, size, bitness, name):");
            FunctionDisassembler.WriteList(shown, output);
            return Success;
        }

        var matches = SymbolLookup.Find(functions, symbol);
        if (matches.Count == 0)
        {
            throw NoSuchSymbol(elfPath, symbol, functions);
        }

        if (matches.Count > 1)
        {
            output.WriteLine($"imagetool: symbol '{symbol}' is ambiguous in {elfPath}: {matches.Count} functions match; give one of:");
            FunctionDisassembler.WriteList(matches, output);
            return BadInput;
        }

        var parts = SymbolLookup.WithLocalLabels(functions, matches[0]);
        FunctionDisassembler.Write(image, parts, syntax, output);
        if (calls)
        {
            foreach (var callee in CallFollower.Reached(image, functions, parts))
            {
                output.WriteLine();
                FunctionDisassembler.Write(image, callee, syntax, output);
            }
        }

        return Success;
    }

    private static ImageToolException NoSuchSymbol(string elfPath, string? symbol, IReadOnlyList<FunctionSymbol> functions) =>
        functions.Count == 0
            ? new ImageToolException($"{elfPath}: no function symbols in executable sections (was the image stripped?)")
            : new ImageToolException($"{elfPath}: no function matches '{symbol}'; run 'imagetool disasm {elfPath} --list' to see all {functions.Count}");
}
