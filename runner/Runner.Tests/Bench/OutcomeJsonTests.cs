using System.Text.Json;
using Runner.Bench;
using Runner.Protocol;
using Runner.Reporting;

namespace Runner.Tests.Bench;

/// <summary>
/// A bench run's outcome is an enum in the runner and the verdict's label in JSON ("PASS",
/// "TIMEOUT", "XFAIL"). Reports recorded while the outcome was still a string read back with
/// the same outcomes and write the same text.
/// </summary>
public class OutcomeJsonTests
{
    static string Fixture(string dir, string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", dir, name);

    /// <summary>Every "outcome" value in a report's runs (columns[].runs[] and the ipi calibration run), in file order.</summary>
    static List<string?> Outcomes(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var found = new List<string?>();
        foreach (var column in doc.RootElement.GetProperty("columns").EnumerateArray())
            foreach (var run in column.GetProperty("runs").EnumerateArray())
                found.Add(run.GetProperty("outcome").GetString());
        if (doc.RootElement.TryGetProperty("calibration", out var cal))
            found.Add(cal.GetProperty("outcome").GetString());
        return found;
    }

    [Fact]
    public void RecordedIpiReportKeepsItsOutcomeText()
    {
        var path = Fixture("ipi", "ipi-kvm-pvm-both-5runs.json");
        var report = IpiCompare.Load(path);
        Assert.All(report.Columns.SelectMany(c => c.Runs), r => Assert.Equal(Outcome.Pass, r.Outcome));
        Assert.Equal(Outcomes(File.ReadAllText(path)), Outcomes(JsonFiles.Serialize(report)));
    }

    [Fact]
    public void RecordedVmexitReportKeepsItsTimeout()
    {
        var path = Fixture("vmexit", "kvm-pvm-hang.json");
        var report = VmexitCompare.Load(path);
        Assert.Equal([Outcome.Pass, Outcome.Timeout], report.Columns.SelectMany(c => c.Runs).Select(r => r.Outcome).Order().ToList());
        Assert.Equal(Outcomes(File.ReadAllText(path)), Outcomes(JsonFiles.Serialize(report)));
    }

    [Fact]
    public void RecordedWakeupReportKeepsItsOutcomeText()
    {
        var path = Fixture("wakeup", "kvm-pvm.json");
        var report = WakeupCompare.Load(path);
        Assert.NotEmpty(report.Columns.SelectMany(c => c.Runs));
        Assert.All(report.Columns.SelectMany(c => c.Runs), r => Assert.Equal(Outcome.Pass, r.Outcome));
        Assert.Equal(Outcomes(File.ReadAllText(path)), Outcomes(JsonFiles.Serialize(report)));
    }

    [Theory]
    [InlineData(Outcome.Pass)]
    [InlineData(Outcome.Fail)]
    [InlineData(Outcome.Skip)]
    [InlineData(Outcome.Timeout)]
    [InlineData(Outcome.XFail)]
    public void JsonSpellsTheVerdictLabel(Outcome o)
    {
        var json = JsonSerializer.Serialize(o, JsonFiles.Options);
        Assert.Equal($"\"{o.Label()}\"", json);
        Assert.Equal(o, JsonSerializer.Deserialize<Outcome>(json, JsonFiles.Options));
    }
}
