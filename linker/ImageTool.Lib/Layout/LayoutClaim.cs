using System.Globalization;
using System.Text.RegularExpressions;

namespace ImageTool.Layout;

/// <summary>
/// What an assembly-side <c>%define</c> says about a C# structure, written in its comment:
/// <c>%define PERCPU_RESUME_RIP 16 ; PerCpu.ResumeRip</c> claims the field's offset, and
/// <c>%define PERCPU_SIZE 1024 ; = PerCpu.SlotSize</c> claims a constant's value.
/// </summary>
public sealed record LayoutClaim(string File, int Line, string Define, long Value, string Type, string Member, bool IsConstant)
{
    public string Where => $"{File}:{Line}";

    public string Subject => $"{Type}.{Member}";

    static readonly Regex ClaimLine = new(
        @"^\s*%define\s+(?<name>\w+)\s+(?<value>[^;\s][^;]*?)\s*;\s*(?<eq>=\s*)?(?<type>[A-Za-z_]\w*)\.(?<member>[A-Za-z_]\w*)\b",
        RegexOptions.CultureInvariant);

    /// <exception cref="ImageToolException">a claim whose value is not a plain number</exception>
    public static IReadOnlyList<LayoutClaim> Parse(string displayName, string text)
    {
        var claims = new List<LayoutClaim>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = ClaimLine.Match(lines[i]);
            if (!m.Success) continue;
            var raw = m.Groups["value"].Value;
            if (!TryNumber(raw, out long value))
                throw new ImageToolException(
                    $"{displayName}:{i + 1}: {m.Groups["name"].Value} = '{raw}' names {m.Groups["type"].Value}.{m.Groups["member"].Value} but is not a plain number: write the number, so it can be checked");
            claims.Add(new LayoutClaim(displayName, i + 1, m.Groups["name"].Value, value,
                m.Groups["type"].Value, m.Groups["member"].Value, m.Groups["eq"].Success));
        }
        return claims;
    }

    static bool TryNumber(string s, out long value) =>
        s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
