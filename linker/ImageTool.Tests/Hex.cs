namespace ImageTool.Tests;

internal static class Hex
{
    /// <summary>"0F 57 C0" -> bytes, so tests read like a disassembly listing.</summary>
    public static byte[] Bytes(string text) => Convert.FromHexString(text.Replace(" ", ""));
}
