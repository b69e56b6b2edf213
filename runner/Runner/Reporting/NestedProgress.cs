using System.Text.RegularExpressions;
using Runner.Nested;

namespace Runner.Reporting;

/// <summary>
/// What the live display says while an L1 host works: which of its stages runs now (L1's init
/// announces each), how many verdicts the inner runner has printed and the last one, and the
/// stages still to come. Nothing of it reaches a pipe or a log.
/// </summary>
public sealed partial class NestedProgress(StepProgress progress, string command) : INestedProgress
{
    /// <summary>L1 init's stage names, in order, and what the time before each is spent on.</summary>
    static readonly (string Stage, string Doing)[] Stages =
    [
        ("boot", "booting the L1 kernel"),
        ("kvm", "loading KVM in L1"),
        ("run", "mounting this host's root in L1"),
        ("done", "running `runner {0}` in L1"),
    ];

    public static double Steps => Stages.Length;

    int _next;
    int _verdicts;
    string? _last;
    string _where = "L1";

    [GeneratedRegex(@"^(PASS|FAIL|XFAIL|XPASS|SKIP|TIMEOUT)\s+(\S+)")]
    private static partial Regex Verdict();

    public void Preparing(string what) => progress.Status($"L1: {what}");

    /// <summary>QEMU is starting the L1 machine.</summary>
    public void Booting(string where)
    {
        _where = where;
        Show();
    }

    /// <summary>A `stage NAME: ...` line from L1's init.</summary>
    public void Stage(string said)
    {
        var name = said.StartsWith("stage ", StringComparison.Ordinal) ? said["stage ".Length..].Split(':')[0] : "";
        int i = Array.FindIndex(Stages, s => s.Stage == name);
        if (i < _next) return;
        progress.Advance(i + 1 - _next);
        _next = i + 1;
        Show();
    }

    /// <summary>A line of the inner runner's output.</summary>
    public void InnerLine(string text)
    {
        var m = Verdict().Match(text);
        if (!m.Success) return;
        _verdicts++;
        _last = $"{m.Groups[1].Value} {m.Groups[2].Value}";
        Show();
    }

    void Show()
    {
        string Doing(int i) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Stages[i].Doing, command);
        if (_next >= Stages.Length)
        {
            progress.Status($"{_where}: powering off; {_verdicts} verdict(s)");
            return;
        }
        var now = Doing(_next) + (_next == Stages.Length - 1 && _verdicts > 0 ? $" ({_verdicts} verdict(s) so far, last {_last})" : "");
        var left = Enumerable.Range(_next + 1, Stages.Length - _next - 1).Select(Doing).ToList();
        progress.Status($"{_where}: {now}" + (left.Count > 0 ? $"; then {string.Join(", ", left)}" : ""));
    }
}
