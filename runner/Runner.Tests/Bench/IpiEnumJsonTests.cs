using System.Text.Json;
using Runner.Bench;
using Runner.Host;
using Runner.Reporting;

namespace Runner.Tests.Bench;

/// <summary>
/// The ipi benchmark's kind, target and APICv wish are enums in the runner and the words
/// `--kind`, the guest's kind=/target= and the recorded reports use in JSON.
/// </summary>
public class IpiEnumJsonTests
{
    static void AssertWord<T>(T value, string word) where T : struct, Enum
    {
        var json = JsonSerializer.Serialize(value, JsonFiles.Options);
        Assert.Equal($"\"{word}\"", json);
        Assert.Equal(value, JsonSerializer.Deserialize<T>(json, JsonFiles.Options));
    }

    [Theory]
    [InlineData(IpiKind.Unicast, "unicast")]
    [InlineData(IpiKind.Self, "self")]
    [InlineData(IpiKind.Broadcast, "broadcast")]
    [InlineData(IpiKind.Pv, "pv")]
    public void AKindIsItsWord(IpiKind kind, string word)
    {
        AssertWord(kind, word);
        Assert.Equal(word, kind.Arg());
        Assert.Equal(kind, IpiKindText.Parse(word));
    }

    [Fact]
    public void AWordThatIsNoKindParsesToNull() => Assert.Null(IpiKindText.Parse("multicast"));

    [Theory]
    [InlineData(IpiTarget.Spin, "spin")]
    [InlineData(IpiTarget.Halt, "halt")]
    [InlineData(IpiTarget.Self, "self")]
    public void ATargetIsItsWord(IpiTarget target, string word)
    {
        AssertWord(target, word);
        Assert.Equal(word, target.Arg());
    }

    [Theory]
    [InlineData(Want.Any, "any")]
    [InlineData(Want.On, "on")]
    [InlineData(Want.Off, "off")]
    public void AnApicvWishIsItsWord(Want want, string word)
    {
        AssertWord(want, word);
        Assert.Equal(word, want.ToText());
    }

    [Fact]
    public void TheRecordedReportsSettingsReadBackAsEnums()
    {
        var halted = IpiCompare.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ipi", "ipi-kvm-pvm-send-icr-pv-halt-2runs.json"));
        Assert.Equal((IpiKind.Unicast, IpiTarget.Halt, Want.Any), (halted.Settings.Kind, halted.Settings.Target, halted.Settings.Apicv));
        var spinning = IpiCompare.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ipi", "ipi-kvm-pvm-both-5runs.json"));
        Assert.Equal(IpiTarget.Spin, spinning.Settings.Target);
        Assert.All(spinning.Columns, c => Assert.Equal(Want.Any, c.Apicv));
    }
}
