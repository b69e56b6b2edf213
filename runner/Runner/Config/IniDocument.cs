using System.Text.RegularExpressions;

namespace Runner.Config;

public sealed record IniEntry(string Key, string Value, int Line);

public sealed record IniSection(string Name, int Line, IReadOnlyList<IniEntry> Entries);

/// <summary>
/// The INI dialect shared by unittests.cfg and errata.cfg (kvm-unit-tests' format):
/// `[name]` headers, `key = value` lines, whole-line `#` comments. A `#` inside a value
/// is kept, because extra_params may legitimately contain one.
/// </summary>
public static partial class IniDocument
{
    [GeneratedRegex(@"^[A-Za-z0-9._/-]+$")]
    public static partial Regex NameToken();

    public static IReadOnlyList<IniSection> Parse(string text, string displayName)
    {
        var sections = new List<IniSection>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string? current = null;
        int currentLine = 0;
        var entries = new List<IniEntry>();
        var keys = new HashSet<string>(StringComparer.Ordinal);

        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;

            if (line.StartsWith('['))
            {
                if (!line.EndsWith(']'))
                    throw new ConfigErrorException(displayName, lineNo, $"section header '{line}' has no closing ']': write [name]");
                var name = line[1..^1].Trim();
                if (!NameToken().IsMatch(name))
                    throw new ConfigErrorException(displayName, lineNo, $"bad section name '{name}': use letters, digits and . _ / -");
                if (seen.TryGetValue(name, out var firstLine))
                    throw new ConfigErrorException(displayName, lineNo, $"section [{name}] already defined at line {firstLine}: rename one");
                Flush();
                seen[name] = lineNo;
                current = name;
                currentLine = lineNo;
                continue;
            }

            int eq = line.IndexOf('=');
            if (eq < 0)
                throw new ConfigErrorException(displayName, lineNo, $"expected 'key = value' or '[section]', got '{line}'");
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (key.Length == 0)
                throw new ConfigErrorException(displayName, lineNo, "missing key before '='");
            if (current is null)
                throw new ConfigErrorException(displayName, lineNo, $"'{key}' is outside any section: put a [name] header above it");
            if (!keys.Add(key))
                throw new ConfigErrorException(displayName, lineNo, $"key '{key}' given twice in [{current}]: keep one");
            entries.Add(new IniEntry(key, value, lineNo));
        }
        Flush();
        return sections;

        void Flush()
        {
            if (current is not null)
                sections.Add(new IniSection(current, currentLine, entries.ToList()));
            entries.Clear();
            keys.Clear();
        }
    }
}
