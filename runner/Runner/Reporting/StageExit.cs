using System.Globalization;

namespace Runner.Reporting;

/// <summary>One stage of `make test` and its exit status, as `runner totals --stage NAME=STATUS` gives it.</summary>
public sealed record StageExit(string Name, int Status)
{
    public static StageExit Parse(string text)
    {
        var eq = text.LastIndexOf('=');
        if (eq <= 0 || !int.TryParse(text[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var status))
            throw new UserErrorException($"--stage '{text}': expected NAME=STATUS, e.g. unit=0");
        return new StageExit(text[..eq], status);
    }
}
