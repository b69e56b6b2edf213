using Runner.Reporting;

namespace Runner.Tests.Reporting;

/// <summary>The pairing of columns that `runner compare` of vmexit and of wakeup reports share, on the recorded reports.</summary>
public class ColumnsCompareTests
{
    static string Fixture(string dir, string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", dir, name);

    [Fact]
    public void ColumnsPairByKeyAndSayWhyOneHasNoPartner()
    {
        var a = WakeupCompare.Load(Fixture("wakeup", "kvm-pvm.json"));
        var off = a.Columns.Single(c => c.Unavailable is null);
        var on = a.Columns.Single(c => c.Unavailable is not null);
        var b = a with { Columns = [off] };

        var pairs = ColumnsCompare.Pairs(a.Columns, b.Columns, "A", "B").ToList();

        Assert.Equal(a.Columns.Select(c => c.Label), pairs.Select(p => p.Label));
        Assert.Null(pairs.Single(p => p.Label == off.Label).Missing);
        Assert.Equal("not in B", pairs.Single(p => p.Label == on.Label).Missing);
        Assert.Equal("not in A", ColumnsCompare.Pairs(b.Columns, a.Columns, "A", "B").Single(p => p.Label == on.Label).Missing);
        Assert.Equal("unavailable in A", ColumnsCompare.Pairs(a.Columns, a.Columns, "A", "B").Single(p => p.Label == on.Label).Missing);
    }

    [Fact]
    public void ReportsOfOneHostAndImageGetNoHostNotes()
    {
        var a = VmexitCompare.Load(Fixture("vmexit", "kvm-pvm-hang.json"));
        Assert.Empty(ColumnsCompare.HostNotes(a, a, "A", "B"));
        Assert.Equal(["kernel images differ (A sha256 2b5024ff7ff0, B 000000000000)"],
            ColumnsCompare.HostNotes(a, a with { Kernel = a.Kernel with { Sha256 = new string('0', 64) } }, "A", "B"));
        Assert.Null(ColumnsCompare.EmulatorNote(false, false));
        Assert.NotNull(ColumnsCompare.EmulatorNote(true, false));
    }
}
