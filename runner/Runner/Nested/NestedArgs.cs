namespace Runner.Nested;

/// <summary>
/// Turns the outer runner's command line into the inner one's: the --host-* options are the
/// outer's alone, and each file the command writes (--junit, --json, --plot) is written into the
/// results share instead, then copied to where it was asked for.
/// </summary>
public sealed record NestedArgs(IReadOnlyList<string> Inner, IReadOnlyList<(string Share, string Requested)> Outputs)
{
    /// <summary>Options of the outer runner only, each with one value.</summary>
    public static readonly IReadOnlyList<string> OuterOnly = ["--host-kernel", "--host-modules", "--host-kvm-param"];
    /// <summary>Options whose value is a file the command writes.</summary>
    public static readonly IReadOnlyList<string> OutputFiles = ["--junit", "--json", "--plot"];
    /// <summary>The commands that boot guests: the ones an L1 host can run.</summary>
    public static readonly IReadOnlyList<string> Commands = ["run", "ipi", "pveoi", "caps", "vmexit", "wakeup"];

    public static NestedArgs Rewrite(IReadOnlyList<string> args, string resultsDir, string currentDir)
    {
        var inner = new List<string>();
        var outputs = new List<(string, string)>();
        for (int i = 0; i < args.Count; i++)
        {
            var (name, value, inline) = Split(args, i);
            if (OuterOnly.Contains(name))
            {
                if (!inline) i++;
                continue;
            }
            if (OutputFiles.Contains(name) && value is not null)
            {
                if (!inline) i++;
                var share = Path.Combine(resultsDir, $"output-{outputs.Count}{Path.GetExtension(value)}");
                outputs.Add((share, Path.GetFullPath(value, currentDir)));
                inner.Add(name);
                inner.Add(share);
                continue;
            }
            inner.Add(args[i]);
        }
        return new NestedArgs(inner, outputs);
    }

    static (string Name, string? Value, bool Inline) Split(IReadOnlyList<string> args, int i)
    {
        var a = args[i];
        int eq = a.IndexOf('=');
        if (a.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            return (a[..eq], a[(eq + 1)..], true);
        return (a, i + 1 < args.Count ? args[i + 1] : null, false);
    }

    /// <summary>The subcommand (first argument that is neither an option nor a global option's value).</summary>
    public static string? Command(IReadOnlyList<string> args)
    {
        string[] globalsWithValue = ["--root", "--build-dir", "--qemu", .. OuterOnly];
        for (int i = 0; i < args.Count; i++)
        {
            if (globalsWithValue.Contains(args[i])) { i++; continue; }
            if (args[i].StartsWith('-')) continue;
            return args[i];
        }
        return null;
    }
}
