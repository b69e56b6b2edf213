using System.Globalization;
using System.Text;

namespace Runner.Protocol;

/// <summary>
/// Guest and QEMU output as safe text. The runner reads the child's bytes as Latin-1 (one
/// char per byte), and every byte outside printable ASCII except a tab becomes `\xNN`, so an
/// ESC from the guest never reaches the terminal, and TAP YAML, JUnit XML and JSON stay
/// valid whatever the guest sent.
/// </summary>
public static class PrintableText
{
    public static string Escape(string text)
    {
        int i = 0;
        while (i < text.Length && IsPlain(text[i])) i++;
        if (i == text.Length) return text;
        var sb = new StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (IsPlain(c)) sb.Append(c);
            else sb.Append("\\x").Append(((int)c & 0xFF).ToString("x2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    static bool IsPlain(char c) => c is >= ' ' and <= '~' or '\t';
}
