using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Runner.Cli;

/// <summary>
/// Parses numeric options itself, so a value that is not a number, has a fraction or
/// overflows is one parse error naming the option and the form it takes, never a
/// conversion exception from inside a validator.
/// </summary>
public static class NumberOptions
{
    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> Whole(this Option<int> option, int min, int max)
    {
        option.CustomParser = r => ParseWhole(r, option.Name, min, max) ?? 0;
        return option;
    }

    /// <inheritdoc cref="Whole(Option{int}, int, int)"/>
    public static Option<int?> Whole(this Option<int?> option, int min, int max)
    {
        option.CustomParser = r => ParseWhole(r, option.Name, min, max);
        return option;
    }

    /// <summary>A decimal number of seconds, more than 0 and at most <paramref name="max"/>.</summary>
    public static Option<double?> Seconds(this Option<double?> option, double max)
    {
        option.CustomParser = r =>
        {
            var text = Token(r);
            if (text is null) return null;
            if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) && v > 0 && v <= max)
                return v;
            r.AddError($"{option.Name} expects seconds, a number more than 0 and at most {max.ToString(CultureInfo.InvariantCulture)} (e.g. 90 or 2.5), got '{text}'");
            return null;
        };
        return option;
    }

    static int? ParseWhole(ArgumentResult r, string name, int min, int max)
    {
        var text = Token(r);
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max)
            return v;
        r.AddError($"{name} expects a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
        return null;
    }

    static string? Token(ArgumentResult r) => r.Tokens.Count == 0 ? null : r.Tokens[^1].Value;
}
