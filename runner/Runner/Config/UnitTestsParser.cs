using System.Globalization;
using System.Text.RegularExpressions;

namespace Runner.Config;

/// <summary>Reads tests/unittests.cfg into <see cref="TestEntry"/>s, rejecting anything it does not understand.</summary>
public static partial class UnitTestsParser
{
    public static readonly IReadOnlyList<string> KnownKeys =
        ["file", "smp", "machine", "append", "extra_params", "groups", "timeout", "accel", "requires", "expect"];

    const int MaxSmp = GuestLimits.MaxCpus;

    /// <summary>A day: an idle timeout beyond that is a typo (and TimeSpan overflows not far above).</summary>
    const double MaxTimeoutSeconds = 86_400;

    [GeneratedRegex(@"^[a-z0-9_.-]+=\S*$")]
    private static partial Regex AppendWord();

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)(?<u>[smh]?)$")]
    private static partial Regex Duration();

    public static IReadOnlyList<TestEntry> ParseFile(string path, string displayName)
    {
        if (!System.IO.File.Exists(path))
            throw new UserErrorException($"{displayName} not found: the test list must exist (see docs/protocol.md)");
        return Parse(System.IO.File.ReadAllText(path), displayName);
    }

    public static IReadOnlyList<TestEntry> Parse(string text, string displayName)
    {
        var result = new List<TestEntry>();
        foreach (var section in IniDocument.Parse(text, displayName))
            result.Add(ParseEntry(section, displayName));
        return result;
    }

    static TestEntry ParseEntry(IniSection section, string file)
    {
        var entry = new TestEntry { Name = section.Name, File = section.Name, Line = section.Line };
        foreach (var (key, value, line) in section.Entries)
        {
            ConfigErrorException Bad(string problem) => new(file, line, problem);
            entry = key switch
            {
                "file" => entry with { File = IniDocument.NameToken().IsMatch(value) ? value : throw Bad($"file = '{value}': give the image base name, e.g. file = selftest for build/selftest.elf") },
                "smp" => entry with { Smp = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxSmp ? n : throw Bad($"smp = '{value}': expected a whole number from 1 to {MaxSmp} (the test kernels support at most {MaxSmp} vCPUs)") },
                "machine" => entry with { Machine = IniDocument.NameToken().IsMatch(value) ? value : throw Bad($"machine = '{value}': expected a QEMU machine name such as microvm or q35") },
                "append" => entry with { Append = ParseAppend(value, Bad) },
                "extra_params" => entry with { ExtraParams = ParseShell(value, Bad) },
                "groups" => entry with { Groups = ParseTokens(value, "groups", Bad) },
                "timeout" => entry with { Timeout = ParseTimeout(value, Bad) },
                "accel" => entry with { Accel = AccelModeText.TryParse(value, out var a) ? a : throw Bad($"accel = '{value}': expected kvm, tcg or any") },
                "requires" => entry with { Requires = ParseRequires(value, Bad) },
                "expect" => entry with { Expect = ParseExpect(value, Bad) },
                _ => throw Bad($"unknown key '{key}' in [{section.Name}]: known keys are {string.Join(", ", KnownKeys)}"),
            };
        }
        return entry;
    }

    static IReadOnlyList<string> ParseAppend(string value, Func<string, Exception> bad)
    {
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var w in words)
        {
            if (!AppendWord().IsMatch(w))
                throw bad($"append: '{w}' is not a key=value pair: the guest command line is key=value words (docs/protocol.md)");
            // The runner derives cpus= from smp; a second, possibly different, value would confuse the guest.
            if (w.StartsWith("cpus=", StringComparison.Ordinal))
                throw bad("append: cpus= is set by the runner from smp: remove it and set smp instead");
        }
        return words;
    }

    static IReadOnlyList<string> ParseShell(string value, Func<string, Exception> bad)
    {
        try { return ShellWords.Split(value); }
        catch (FormatException e) { throw bad($"extra_params: {e.Message}: close the quote or escape it"); }
    }

    static IReadOnlyList<string> ParseTokens(string value, string key, Func<string, Exception> bad)
    {
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var w in words)
            if (!IniDocument.NameToken().IsMatch(w))
                throw bad($"{key}: '{w}' is not a plain name: use letters, digits and . _ / -");
        return words;
    }

    static TimeSpan ParseTimeout(string value, Func<string, Exception> bad)
    {
        var m = Duration().Match(value);
        if (!m.Success)
            throw bad($"timeout = '{value}': expected seconds, e.g. 30, 90s, 5m");
        double n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        double seconds = m.Groups["u"].Value switch { "m" => n * 60, "h" => n * 3600, _ => n };
        if (seconds <= 0)
            throw bad($"timeout = '{value}': must be more than 0 seconds");
        if (!(seconds <= MaxTimeoutSeconds))
            throw bad($"timeout = '{value}': at most 24h (86400 s)");
        return TimeSpan.FromSeconds(seconds);
    }

    static Expectation ParseExpect(string value, Func<string, Exception> bad)
    {
        try { return Expectation.Parse(value); }
        catch (FormatException e) { throw bad(e.Message); }
    }

    static IReadOnlyList<string> ParseRequires(string value, Func<string, Exception> bad)
    {
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var w in words)
            if (!Requirement.All.Contains(w))
                throw bad($"requires: unknown capability '{w}': known are {string.Join(", ", Requirement.All)}");
        return words;
    }
}
