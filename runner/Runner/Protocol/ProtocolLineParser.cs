using System.Globalization;
using System.Text.RegularExpressions;

namespace Runner.Protocol;

/// <summary>Parses guest serial lines into <see cref="ProtocolRecord"/>s; non-protocol lines are noise (null).</summary>
public static partial class ProtocolLineParser
{
    public const string Prefix = "#kt ";

    [GeneratedRegex(@"^[a-z0-9._/-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^0x[0-9a-fA-F]+$")]
    private static partial Regex HexPattern();

    public static IReadOnlyList<ProtocolRecord> ParseAll(IEnumerable<string> lines)
    {
        var records = new List<ProtocolRecord>();
        int n = 0;
        foreach (var line in lines)
        {
            n++;
            if (Parse(line, n) is { } r) records.Add(r);
        }
        return records;
    }

    public static ProtocolRecord? Parse(string line, int lineNumber)
    {
        line = line.TrimEnd('\r', '\n');
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        var body = line[Prefix.Length..];
        var verb = Head(body, out var rest);
        try
        {
            return verb switch
            {
                "begin" => ParseBegin(rest, lineNumber),
                "arg" => new ArgRecord(lineNumber, Name(Head(rest, out var v), "key"), Required(v, "value")),
                "check" => ParseCheck(rest, lineNumber),
                "skip" => new SkipRecord(lineNumber, Name(Head(rest, out var why), "name"), Required(why, "reason")),
                "metric" => ParseMetric(rest, lineNumber),
                "info" => new InfoRecord(lineNumber, Name(Head(rest, out var text), "key"), text),
                "fault" => ParseFault(rest, lineNumber),
                "sync" => new SyncRecord(lineNumber, Name(Fields(rest, 1, "sync <tag>")[0], "sync tag")),
                "end" => ParseEnd(rest, lineNumber),
                _ => throw new FormatException($"unknown record '{verb}'"),
            };
        }
        catch (FormatException e)
        {
            return new MalformedRecord(lineNumber, line, e.Message);
        }
    }

    static BeginRecord ParseBegin(string rest, int n)
    {
        var f = Fields(rest, 2, "begin <kernel> <cpus>");
        return new BeginRecord(n, Name(f[0], "kernel"), Count(f[1], "cpus"));
    }

    static ProtocolRecord ParseCheck(string rest, int n)
    {
        var outcome = Head(rest, out var afterOutcome);
        var name = Name(Head(afterOutcome, out var detail), "check name");
        return outcome switch
        {
            "pass" => detail.Length == 0 ? new CheckPassRecord(n, name) : throw new FormatException("check pass takes only a name"),
            "fail" => new CheckFailRecord(n, name, Required(detail, "detail")),
            _ => throw new FormatException($"check outcome must be pass or fail, got '{outcome}'"),
        };
    }

    static MetricRecord ParseMetric(string rest, int n)
    {
        var f = Fields(rest, 3, "metric <name> <value> <unit>");
        if (!long.TryParse(f[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new FormatException($"metric value '{f[1]}' is not a signed decimal integer");
        return new MetricRecord(n, Name(f[0], "metric name"), value, f[2]);
    }

    static FaultRecord ParseFault(string rest, int n)
    {
        var vector = Head(rest, out rest);
        var error = Head(rest, out rest);
        var rip = Head(rest, out rest);
        var cpu = Head(rest, out var text);
        return new FaultRecord(n, Count(vector, "vector"), Hex(error, "error code"), Hex(rip, "rip"), Count(cpu, "cpu"), text);
    }

    static EndRecord ParseEnd(string rest, int n)
    {
        var f = Fields(rest, 3, "end <pass> <fail> <skip>");
        return new EndRecord(n, Count(f[0], "pass"), Count(f[1], "fail"), Count(f[2], "skip"));
    }

    static string Head(string s, out string rest)
    {
        int sp = s.IndexOf(' ');
        if (sp < 0) { rest = ""; return s; }
        rest = s[(sp + 1)..];
        return s[..sp];
    }

    static string[] Fields(string s, int count, string shape)
    {
        var f = s.Split(' ');
        if (f.Length != count || f.Any(x => x.Length == 0))
            throw new FormatException($"expected '{shape}'");
        return f;
    }

    static string Name(string s, string what) =>
        NamePattern().IsMatch(s) ? s : throw new FormatException($"{what} '{s}' is not a token of a-z0-9._/-");

    static string Required(string s, string what) =>
        s.Trim().Length > 0 ? s : throw new FormatException($"missing {what}");

    static int Count(string s, string what) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v : throw new FormatException($"{what} '{s}' is not a decimal number");

    static ulong Hex(string s, string what) =>
        HexPattern().IsMatch(s) && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            ? v : throw new FormatException($"{what} '{s}' is not hex with 0x");
}
