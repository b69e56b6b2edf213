using System.Text.RegularExpressions;

namespace Runner.Config;

/// <summary>
/// An erratum's `when`: space-separated terms that must all hold, e.g.
/// `backend=kvm_pvm accel=kvm`, `vendor!=intel`, `backend=kvm_amd|kvm_pvm`, `qemu<8.1`.
/// An empty condition holds everywhere.
/// </summary>
public sealed partial class HostCondition
{
    public static readonly IReadOnlyList<string> Keys = ["backend", "accel", "vendor", "qemu", "kernel", "l1"];
    static readonly string[] VersionKeys = ["qemu", "kernel"];

    /// <summary>Every value a fact can take: anything else could never match, so it is an error, not a silent no-op.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Values = new Dictionary<string, string[]>
    {
        ["backend"] = ["kvm_intel", "kvm_amd", "kvm_pvm", "none"],
        ["accel"] = ["kvm", "tcg"],
        ["vendor"] = ["intel", "amd", "other"],
        ["l1"] = ["tcg", "kvm", "none"],
    };

    readonly IReadOnlyList<Term> _terms;
    public string Text { get; }

    HostCondition(string text, IReadOnlyList<Term> terms) { Text = text; _terms = terms; }

    public static HostCondition Always { get; } = new("", []);

    [GeneratedRegex(@"^(?<key>[a-z][a-z0-9]*)(?<op>!=|<=|>=|=|<|>)(?<value>\S+)$")]
    private static partial Regex TermPattern();

    /// <exception cref="FormatException">with a message fit to follow "file:line: "</exception>
    public static HostCondition Parse(string text)
    {
        var terms = new List<Term>();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var m = TermPattern().Match(word);
            if (!m.Success)
                throw new FormatException($"when: '{word}' is not key=value (e.g. backend=kvm_pvm, accel=tcg, qemu<8.1)");
            var key = m.Groups["key"].Value;
            var op = m.Groups["op"].Value;
            var value = m.Groups["value"].Value;
            if (!Keys.Contains(key))
                throw new FormatException($"when: unknown key '{key}': known are {string.Join(", ", Keys)}");
            if (VersionKeys.Contains(key))
            {
                if (value.Contains('|') || !Version.TryParse(value.Contains('.') ? value : value + ".0", out var v))
                    throw new FormatException($"when: {key}{op}{value}: expected a version such as {(key == "qemu" ? "8.1" : "6.10")}");
                terms.Add(new Term(key, op, [value], v));
            }
            else
            {
                if (op is not ("=" or "!="))
                    throw new FormatException($"when: {key} takes = or !=, not {op}");
                var values = value.Split('|');
                var known = Values[key];
                if (values.FirstOrDefault(v => !known.Contains(v)) is { } bad)
                    throw new FormatException(bad.Length == 0
                        ? $"when: {key}{op}{value} has an empty alternative: write {key}{op}a|b with values from {string.Join(", ", known)}"
                        : $"when: {key}{op}{value}: unknown {key} '{bad}': known are {string.Join(", ", known)}");
                terms.Add(new Term(key, op, values, null));
            }
        }
        return new HostCondition(text, terms);
    }

    public bool Holds(ConditionFacts facts) => _terms.All(t => t.Holds(facts));

    sealed record Term(string Key, string Op, string[] Values, Version? Version)
    {
        public bool Holds(ConditionFacts facts)
        {
            if (VersionKeys.Contains(Key))
            {
                var known = Key == "qemu" ? facts.Qemu : facts.Kernel;
                // Unknown version: a version-bound erratum cannot be said to apply.
                if (known is null) return false;
                // `qemu=7.2` names the 7.2 series (7.2.22 included); `qemu=7.2.1` one release.
                var actual = Version!.Build < 0 ? new Version(known.Major, known.Minor) : known;
                int cmp = Normalize(actual).CompareTo(Normalize(Version!));
                return Op switch
                {
                    "=" => cmp == 0, "!=" => cmp != 0, "<" => cmp < 0,
                    "<=" => cmp <= 0, ">" => cmp > 0, _ => cmp >= 0,
                };
            }
            var fact = Key switch
            {
                "backend" => facts.Backend,
                "accel" => facts.Accel,
                "l1" => facts.L1,
                _ => facts.Vendor,
            };
            bool any = Values.Contains(fact, StringComparer.Ordinal);
            return Op == "=" ? any : !any;
        }

        // 7.2 and 7.2.0 must compare equal; System.Version treats a missing part as -1.
        static Version Normalize(Version v) => new(v.Major, v.Minor, Math.Max(v.Build, 0));
    }
}
