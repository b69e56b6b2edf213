using System.Globalization;
using System.Text;

namespace Runner.Protocol;

/// <summary>
/// Guest and QEMU output as safe text. The runner reads the child's bytes as Latin-1 (one
/// char per byte). A well-formed UTF-8 sequence of a printable character is kept as that
/// character (an L1 runner's "×" and "±" come through this way); every other byte outside
/// printable ASCII except a tab becomes `\xNN` (invalid and overlong sequences, encoded
/// surrogates, and characters that print nothing, <see cref="Printable"/>), so an ESC from the guest never reaches the
/// terminal, and TAP YAML, JUnit XML and JSON stay valid whatever the guest sent.
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
            else if (Utf8At(text, i) is { } seq) { sb.Append(seq.Text); i += seq.Length - 1; }
            else sb.Append("\\x").Append(((int)c & 0xFF).ToString("x2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    /// <summary>The printable character a UTF-8 sequence starting at <paramref name="i"/> encodes, or null.</summary>
    static (string Text, int Length)? Utf8At(string bytes, int i)
    {
        int lead = bytes[i] & 0xFF;
        int length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead <= 0xDF ? 2 : 0;
        if (length == 0 || i + length > bytes.Length || bytes[i] > 0xFF) return null;
        var buffer = new byte[length];
        for (int k = 0; k < length; k++)
        {
            if (bytes[i + k] > 0xFF) return null;
            buffer[k] = (byte)bytes[i + k];
        }
        string decoded;
        try { decoded = StrictUtf8.GetString(buffer); }
        catch (DecoderFallbackException) { return null; }
        return decoded.EnumerateRunes().All(Printable) ? (decoded, length) : null;
    }

    /// <summary>
    /// Not a C1 control (U+009B is a terminal's CSI), a format character (U+202E turns text
    /// around), a line or paragraph separator, or unassigned: the noncharacters U+FFFE and
    /// U+FFFF are among those, and XML cannot hold them.
    /// </summary>
    static bool Printable(Rune r) =>
        !Rune.IsControl(r) && Rune.GetUnicodeCategory(r) is not (UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate);

    static bool IsPlain(char c) => c is >= ' ' and <= '~' or '\t';
}
