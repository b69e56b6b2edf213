namespace Runner.Config;

/// <summary>Reads tests/errata.cfg. A missing file just means no known issues.</summary>
public static class ErrataParser
{
    public static readonly IReadOnlyList<string> KnownKeys = ["test", "check", "failure", "when", "reason", "intermittent"];

    public static IReadOnlyList<Erratum> ParseFile(string path, string displayName) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), displayName) : [];

    /// <summary>Parses, then checks every `test =` names at least one entry of unittests.cfg: an erratum for no test never applies.</summary>
    public static IReadOnlyList<Erratum> ParseFile(string path, string displayName, IReadOnlyList<TestEntry> tests)
    {
        var errata = ParseFile(path, displayName);
        CheckTests(errata, tests, displayName);
        return errata;
    }

    /// <exception cref="ConfigErrorException">at the `test =` line of the first pattern that matches no test</exception>
    public static void CheckTests(IReadOnlyList<Erratum> errata, IReadOnlyList<TestEntry> tests, string displayName)
    {
        foreach (var e in errata)
            foreach (var pattern in e.TestPattern.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (!tests.Any(t => Glob.IsMatch(pattern, t.Name)))
                    throw new ConfigErrorException(displayName, e.TestLine,
                        $"test = '{pattern}' in [{e.Id}] matches no test in unittests.cfg: tests are {string.Join(", ", tests.Select(t => t.Name))}");
    }

    public static IReadOnlyList<Erratum> Parse(string text, string displayName)
    {
        var result = new List<Erratum>();
        foreach (var section in IniDocument.Parse(text, displayName))
        {
            string? test = null, check = null, failure = null, reason = null;
            int testLine = section.Line;
            bool intermittent = false;
            var when = HostCondition.Always;
            foreach (var (key, value, line) in section.Entries)
            {
                if (value.Length == 0)
                    throw new ConfigErrorException(displayName, line, $"{key} is empty in [{section.Name}]: give a value or drop the line");
                switch (key)
                {
                    case "test": test = value; testLine = line; break;
                    case "check": check = value; break;
                    case "failure": failure = value; break;
                    case "reason": reason = value; break;
                    case "intermittent":
                        intermittent = value switch
                        {
                            "yes" => true,
                            "no" => false,
                            _ => throw new ConfigErrorException(displayName, line, $"intermittent is '{value}' in [{section.Name}]: write yes or no"),
                        };
                        break;
                    case "when":
                        try { when = HostCondition.Parse(value); }
                        catch (FormatException e) { throw new ConfigErrorException(displayName, line, e.Message); }
                        break;
                    default:
                        throw new ConfigErrorException(displayName, line,
                            $"unknown key '{key}' in [{section.Name}]: known keys are {string.Join(", ", KnownKeys)}");
                }
            }
            // An erratum without a reason would turn a failure into a silent XFAIL nobody can judge later.
            string Need(string? v, string key) => v ?? throw new ConfigErrorException(displayName, section.Line,
                $"[{section.Name}] has no '{key}': every erratum needs test, check or failure, and reason");
            if ((check is null) == (failure is null))
                throw new ConfigErrorException(displayName, section.Line,
                    $"[{section.Name}] needs exactly one of 'check' (a guest check that fails) or 'failure' (how the whole run fails)");
            result.Add(new Erratum(section.Name, Need(test, "test"), check ?? "", when, Need(reason, "reason"), section.Line)
            {
                FailurePattern = failure,
                Intermittent = intermittent,
                TestLine = testLine,
            });
        }
        return result;
    }
}
