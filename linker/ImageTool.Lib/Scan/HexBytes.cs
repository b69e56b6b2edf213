namespace ImageTool;

public static class HexBytes
{
    /// <summary>"0f 57 c0": the spacing objdump users expect.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) =>
        string.Join(" ", bytes.ToArray().Select(b => b.ToString("x2")));
}
