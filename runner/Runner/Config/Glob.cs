using System.Text;
using System.Text.RegularExpressions;

namespace Runner.Config;

/// <summary>Shell-style `*` and `?` matching for errata `test`/`check` patterns.</summary>
public static class Glob
{
    public static bool IsMatch(string pattern, string text)
    {
        if (!pattern.Contains('*') && !pattern.Contains('?'))
            return string.Equals(pattern, text, StringComparison.Ordinal);
        var regex = new StringBuilder("^");
        foreach (char c in pattern)
        {
            regex.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }
        regex.Append('$');
        return Regex.IsMatch(text, regex.ToString(), RegexOptions.CultureInvariant);
    }
}
