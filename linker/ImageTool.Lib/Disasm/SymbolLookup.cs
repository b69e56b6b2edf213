namespace ImageTool;

/// <summary>Resolves a user-typed symbol: exact name first, then a unique substring.</summary>
public static class SymbolLookup
{
    /// <summary>
    /// The exact match if there is one; otherwise every function whose name contains
    /// <paramref name="query"/> (case-sensitive, or case-insensitive if that finds nothing).
    /// More than one result means the query is ambiguous.
    /// </summary>
    public static IReadOnlyList<FunctionSymbol> Find(IReadOnlyList<FunctionSymbol> functions, string query)
    {
        var exact = functions.Where(f => f.AllNames.Contains(query, StringComparer.Ordinal)).ToArray();
        if (exact.Length > 0)
        {
            return exact;
        }

        var matches = functions.Where(f => f.AllNames.Any(n => n.Contains(query, StringComparison.Ordinal))).ToArray();
        return matches.Length > 0
            ? matches
            : functions.Where(f => f.AllNames.Any(n => n.Contains(query, StringComparison.OrdinalIgnoreCase))).ToArray();
    }

    /// <summary>
    /// The function plus the NASM local labels that follow it (<c>name.loop</c>), which split the
    /// symbol ranges but belong to the same routine.
    /// </summary>
    public static IReadOnlyList<FunctionSymbol> WithLocalLabels(IReadOnlyList<FunctionSymbol> functions, FunctionSymbol function)
    {
        var result = new List<FunctionSymbol> { function };
        int index = IndexOf(functions, function);
        for (int i = index + 1; i < functions.Count; i++)
        {
            var next = functions[i];
            if (next.Section != function.Section || next.Start != result[^1].End
                || !function.AllNames.Any(owner => next.Name.StartsWith(owner + ".", StringComparison.Ordinal)))
            {
                break;
            }

            result.Add(next);
        }

        return result;
    }

    private static int IndexOf(IReadOnlyList<FunctionSymbol> functions, FunctionSymbol function)
    {
        for (int i = 0; i < functions.Count; i++)
        {
            if (ReferenceEquals(functions[i], function))
            {
                return i;
            }
        }

        return -1;
    }
}
