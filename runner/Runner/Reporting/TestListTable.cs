using System.Globalization;
using Runner.Config;
using Spectre.Console;

namespace Runner.Reporting;

/// <summary>
/// `runner list`: the parsed test list, so typos in unittests.cfg and errata.cfg show up
/// before a run, with how many known-issue entries name each test (on any host).
/// </summary>
public static class TestListTable
{
    public static Table Build(IReadOnlyList<TestEntry> entries, IReadOnlyList<Erratum> errata, Func<TestEntry, bool> imageExists)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in new[] { "name", "kernel", "smp", "groups", "accel", "timeout", "requires", "append", "errata" })
            table.AddColumn(h);
        foreach (var e in entries)
        {
            var kernel = imageExists(e) ? e.File + ".elf" : e.File + ".elf (not built)";
            table.AddRow(new[]
            {
                e.Name, kernel, e.Smp.ToString(CultureInfo.InvariantCulture), string.Join(" ", e.Groups),
                e.Accel.ToText(), e.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s",
                string.Join(" ", e.Requires), string.Join(" ", e.Append),
                errata.Count(x => x.NamesTest(e.Name)).ToString(CultureInfo.InvariantCulture),
            }.Select(s => new Text(s)));
        }
        return table;
    }
}
