namespace ImageTool.Layout;

/// <summary>
/// Checks the assembly side's structure offsets and sizes (<see cref="LayoutClaim"/>)
/// against the compiled C# structures, so NASM and C# cannot drift apart unnoticed. A claim
/// about a type the assembly does not define (a test's own struct, in another kernel) is
/// not this assembly's to judge and is counted apart.
/// </summary>
public static class LayoutCheck
{
    public sealed record Result(int Checked, int Elsewhere, IReadOnlyList<string> Disagreements);

    public static Result Run(ManagedLayout layout, IEnumerable<LayoutClaim> claims)
    {
        int checkedCount = 0, elsewhere = 0;
        var bad = new List<string>();
        foreach (var claim in claims)
        {
            var types = layout.FindTypes(claim.Type);
            if (types.Count == 0) { elsewhere++; continue; }
            if (types.Count > 1)
            {
                bad.Add($"{claim.Where}: {claim.Define} names {claim.Type}, which is ambiguous here ({string.Join(", ", types.Select(layout.FullName))}): rename one");
                continue;
            }
            checkedCount++;
            var type = types[0];
            long? actual = claim.IsConstant ? layout.Constant(type, claim.Member) : layout.FieldOffset(type, claim.Member);
            string what = claim.IsConstant ? "constant" : "field";
            if (actual is null)
                bad.Add($"{claim.Where}: {claim.Define} names {claim.Subject}, but {layout.FullName(type)} has no {what} {claim.Member}");
            else if (actual != claim.Value)
                bad.Add(claim.IsConstant
                    ? $"{claim.Where}: {claim.Define} = {claim.Value}, but {claim.Subject} = {actual}: make them agree"
                    : $"{claim.Where}: {claim.Define} = {claim.Value}, but {claim.Subject} is at offset {actual}: make them agree");
        }
        return new Result(checkedCount, elsewhere, bad);
    }
}
