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
public class RecordedReportJsonTests
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

    /// <summary>
    /// Read back and written again, a recorded report keeps every field it had, in its order,
    /// with the same value text (fields added since may appear between them).
    /// </summary>
    [Theory]
    [InlineData("ipi", "ipi-kvm-pvm-both-5runs.json")]
    [InlineData("ipi", "ipi-kvm-pvm-send-icr-pv-halt-2runs.json")]
    [InlineData("vmexit", "kvm-pvm-hang.json")]
    [InlineData("wakeup", "kvm-pvm.json")]
    [InlineData("pveoi", "kvm-pvm-timer.json")]
    public void RecordedReportsWriteBackTheirFields(string dir, string name)
    {
        var path = Fixture(dir, name);
        string again = dir switch
        {
            "ipi" => JsonFiles.Serialize(IpiCompare.Load(path)),
            "vmexit" => JsonFiles.Serialize(VmexitCompare.Load(path)),
            "pveoi" => JsonFiles.Serialize(BenchReportFile.Load<PveoiReport>(path, PveoiReport.CurrentSchema, "runner pveoi --json")),
            _ => JsonFiles.Serialize(WakeupCompare.Load(path)),
        };
        using var before = JsonDocument.Parse(File.ReadAllText(path));
        using var after = JsonDocument.Parse(again);
        AssertKept(before.RootElement, after.RootElement, "$");
    }

    /// <summary>The header first, the notes after the figures and an ipi report's partial flag last, as before the header was shared.</summary>
    [Fact]
    public void AReportsFieldsKeepTheirOrder()
    {
        var report = IpiFakes.Report(1, IpiFakes.Column(ApicMode.XApic, false, 6000)) with { Notes = ["n"], Partial = true, PartialReason = "SIGINT" };
        using var doc = JsonDocument.Parse(JsonFiles.Serialize(report));
        Assert.Equal(["schema", "runnerVersion", "started", "wallSeconds", "commandLine", "host", "kernel", "settings", "columns", "reductions", "notes", "partial", "partialReason"],
            doc.RootElement.EnumerateObject().Select(p => p.Name).ToList());
    }

    [Theory]
    [InlineData(VmexitCaseState.Measured, "")]
    [InlineData(VmexitCaseState.Skip, "skip")]
    [InlineData(VmexitCaseState.Hung, "hung")]
    [InlineData(VmexitCaseState.Failed, "failed")]
    public void AVmexitCaseStateIsItsWordInJson(VmexitCaseState state, string word)
    {
        var json = JsonFiles.Serialize(new VmexitCaseStats { Name = "cpuid", State = state });
        Assert.Contains($"\"state\": \"{word}\"", json);
        Assert.Equal(word, state.Text());
        Assert.Equal(state, JsonSerializer.Deserialize<VmexitCaseStats>(json, JsonFiles.Options)!.State);
    }

    static void AssertKept(JsonElement was, JsonElement now, string at)
    {
        Assert.True(was.ValueKind == now.ValueKind, $"{at}: was {was.ValueKind}, now {now.ValueKind}");
        switch (was.ValueKind)
        {
            case JsonValueKind.Object:
                var names = was.EnumerateObject().Select(p => p.Name).ToList();
                var kept = now.EnumerateObject().Select(p => p.Name).Where(names.Contains).ToList();
                Assert.True(names.SequenceEqual(kept), $"{at}: fields were [{string.Join(", ", names)}], now [{string.Join(", ", kept)}]");
                foreach (var p in was.EnumerateObject())
                    AssertKept(p.Value, now.GetProperty(p.Name), $"{at}.{p.Name}");
                break;
            case JsonValueKind.Array:
                Assert.True(was.GetArrayLength() == now.GetArrayLength(), $"{at}: {was.GetArrayLength()} items, now {now.GetArrayLength()}");
                foreach (var (w, n, i) in was.EnumerateArray().Zip(now.EnumerateArray()).Select((x, i) => (x.First, x.Second, i)))
                    AssertKept(w, n, $"{at}[{i}]");
                break;
            default:
                Assert.True(was.GetRawText() == now.GetRawText(), $"{at}: was {was.GetRawText()}, now {now.GetRawText()}");
                break;
        }
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
