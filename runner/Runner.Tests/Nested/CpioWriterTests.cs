using System.Text;
using Runner.Nested;

namespace Runner.Tests.Nested;

public class CpioWriterTests
{
    [Fact]
    public void AFileEntryIsANewcHeaderNameAndPaddedData()
    {
        using var ms = new MemoryStream();
        var cpio = new CpioWriter(ms);
        cpio.File("/init", Encoding.ASCII.GetBytes("hi\n"), mode: 0x1ED);
        cpio.Finish();
        var text = Encoding.ASCII.GetString(ms.ToArray());

        // Hand-written expectation from the newc layout: magic, then 13 fields of 8 hex digits.
        var header = "070701" + "00000001" + "000081ed" + "00000000" + "00000000" + "00000001" + "00000000"
            + "00000003" + "00000000" + "00000000" + "00000000" + "00000000" + "00000005" + "00000000";
        // 110 + 5 name bytes pad to 116; 3 data bytes pad to 4.
        Assert.StartsWith(header + "init\0" + "\0" + "hi\n\0", text);
        Assert.Contains("TRAILER!!!\0", text);
        Assert.Equal(0, ms.Length % 4);
    }
}
