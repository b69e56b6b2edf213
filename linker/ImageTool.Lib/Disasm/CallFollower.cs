using Iced.Intel;

namespace ImageTool;

/// <summary>
/// The functions a routine reaches by direct CALL or JMP, transitively, in the order first
/// reached: with them a disassembly shows the whole path a benchmark times, not only its
/// first function. Indirect branches are not followed (their targets are run-time data).
/// </summary>
public static class CallFollower
{
    /// <summary>At most this many functions besides the first: a path, not the whole image.</summary>
    public const int MaxFollowed = 32;

    public static IReadOnlyList<IReadOnlyList<FunctionSymbol>> Reached(
        ElfImage image, IReadOnlyList<FunctionSymbol> functions, IReadOnlyList<FunctionSymbol> start)
    {
        var result = new List<IReadOnlyList<FunctionSymbol>>();
        var seen = new HashSet<ulong> { start[0].Start };
        var queue = new Queue<IReadOnlyList<FunctionSymbol>>();
        queue.Enqueue(start);
        while (queue.Count > 0 && result.Count < MaxFollowed)
        {
            var parts = queue.Dequeue();
            foreach (ulong target in DirectTargets(image, parts))
            {
                var callee = functions.FirstOrDefault(f => f.Start == target);
                if (callee is null || !seen.Add(target)) continue;
                var calleeParts = SymbolLookup.WithLocalLabels(functions, callee);
                result.Add(calleeParts);
                queue.Enqueue(calleeParts);
                if (result.Count == MaxFollowed) break;
            }
        }

        return result;
    }

    private static IEnumerable<ulong> DirectTargets(ElfImage image, IReadOnlyList<FunctionSymbol> parts)
    {
        ulong from = parts[0].Start, to = parts[^1].End;
        foreach (var part in parts)
        {
            var code = image.SectionData(part.Section)
                .Slice((int)(part.Start - part.Section.Address), (int)part.Size)
                .ToArray();
            foreach (var (_, instruction) in InstructionStream.Decode(code, part.Start, part.Bitness))
            {
                bool direct = instruction.FlowControl is FlowControl.Call or FlowControl.UnconditionalBranch or FlowControl.ConditionalBranch
                              && instruction.Op0Kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64;
                if (!direct) continue;
                ulong target = instruction.NearBranchTarget;
                if (target < from || target >= to) yield return target;
            }
        }
    }
}
