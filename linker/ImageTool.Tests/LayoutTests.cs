using System.Runtime.InteropServices;
using ImageTool;
using ImageTool.Layout;
using Xunit;

namespace ImageTool.Tests;

/// <summary>
/// The NASM/C# layout check on structures compiled into this test assembly, whose offsets
/// the runtime itself reports (Marshal.OffsetOf), so the expected values are not hand-computed.
/// </summary>
public unsafe class LayoutTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Sample
    {
        public Sample* Self;
        public int Index;
        public uint Id;
        public byte Flag;
        public ulong Wide;
        public fixed ulong Scratch[4];
        public uint Tail;
        public const int SlotSize = 256;
    }

    [StructLayout(LayoutKind.Explicit)]
    private struct Overlay
    {
        [FieldOffset(0)] public uint Low;
        [FieldOffset(12)] public uint High;
    }

    private static ManagedLayout Open() => ManagedLayout.Load(typeof(LayoutTests).Assembly.Location);

    private static LayoutCheck.Result Check(string asm)
    {
        using var layout = Open();
        return LayoutCheck.Run(layout, LayoutClaim.Parse("test.inc", asm));
    }

    [Fact]
    public void SequentialOffsetsMatchTheRuntime()
    {
        using var layout = Open();
        var type = Assert.Single(layout.FindTypes(nameof(Sample)));
        foreach (var field in new[] { "Self", "Index", "Id", "Flag", "Wide", "Scratch", "Tail" })
            Assert.Equal((int)Marshal.OffsetOf<Sample>(field), layout.FieldOffset(type, field));
        Assert.Equal(sizeof(Sample), layout.ShapeOf(type).Size);
    }

    [Fact]
    public void ExplicitOffsetsAreRead()
    {
        using var layout = Open();
        var type = Assert.Single(layout.FindTypes(nameof(Overlay)));
        Assert.Equal(12, layout.FieldOffset(type, "High"));
    }

    [Fact]
    public void AgreeingClaimsPassAndOthersAreCountedApart()
    {
        int wide = (int)Marshal.OffsetOf<Sample>("Wide");
        var r = Check($"%define S_WIDE {wide} ; Sample.Wide\n%define S_SLOT 256 ; = Sample.SlotSize\n%define X 8 ; NoSuchType.Field\n%define PLAIN 4\n");
        Assert.Equal(2, r.Checked);
        Assert.Equal(1, r.Elsewhere);
        Assert.Empty(r.Disagreements);
    }

    [Fact]
    public void AWrongOffsetAWrongConstantAndAMissingFieldDisagree()
    {
        var r = Check("%define S_INDEX 4 ; Sample.Index\n%define S_SLOT 0x200 ; = Sample.SlotSize\n%define S_GONE 0 ; Sample.Gone\n");
        Assert.Equal(3, r.Disagreements.Count);
        Assert.Contains(r.Disagreements, d => d.StartsWith("test.inc:1: S_INDEX = 4, but Sample.Index is at offset 8"));
        Assert.Contains(r.Disagreements, d => d.StartsWith("test.inc:2: S_SLOT = 512, but Sample.SlotSize = 256"));
        Assert.Contains(r.Disagreements, d => d.Contains("has no field Gone"));
    }

    [Fact]
    public void AClaimThatIsNoPlainNumberIsBadInput()
    {
        var e = Assert.Throws<ImageToolException>(() => LayoutClaim.Parse("x.inc", "%define A (4 * 8) ; Sample.Wide\n"));
        Assert.StartsWith("x.inc:1: A = '(4 * 8)' names Sample.Wide but is not a plain number", e.Message);
    }
}
