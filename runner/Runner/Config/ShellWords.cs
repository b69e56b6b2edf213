using System.Text;

namespace Runner.Config;

/// <summary>
/// Splits a string into words the way a POSIX shell would (quotes and backslashes),
/// without expansion: extra_params come from kvm-unit-tests-style configs written for
/// a shell, but the runner never hands QEMU a shell string.
/// </summary>
public static class ShellWords
{
    /// <exception cref="FormatException">unterminated quote or trailing backslash</exception>
    public static IReadOnlyList<string> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(word.ToString()); word.Clear(); inWord = false; }
                i++;
            }
            else if (c == '\'')
            {
                int end = text.IndexOf('\'', i + 1);
                if (end < 0) throw new FormatException($"unterminated ' starting at column {i + 1}");
                word.Append(text, i + 1, end - i - 1);
                inWord = true;
                i = end + 1;
            }
            else if (c == '"')
            {
                i = ReadDoubleQuoted(text, i, word);
                inWord = true;
            }
            else if (c == '\\')
            {
                if (i + 1 >= text.Length) throw new FormatException("trailing backslash");
                word.Append(text[i + 1]);
                inWord = true;
                i += 2;
            }
            else
            {
                word.Append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    static int ReadDoubleQuoted(string text, int start, StringBuilder word)
    {
        int i = start + 1;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"') return i + 1;
            // Inside double quotes a backslash only escapes the characters the shell treats specially.
            if (c == '\\' && i + 1 < text.Length && "\"\\$`".Contains(text[i + 1]))
            {
                word.Append(text[i + 1]);
                i += 2;
                continue;
            }
            word.Append(c);
            i++;
        }
        throw new FormatException($"unterminated \" starting at column {start + 1}");
    }
}
