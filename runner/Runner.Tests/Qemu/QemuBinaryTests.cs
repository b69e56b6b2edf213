using Runner.Host;
using Runner.Qemu;
using Runner.Tests.Support;

namespace Runner.Tests.Qemu;

public class QemuBinaryTests
{
    [Fact]
    public void FindsQemuOnPath()
    {
        using var tmp = new TempDir();
        var fake = tmp.Script("bin/qemu-system-x86_64", "exit 0");
        Assert.Equal(fake, QemuBinary.Locate(null, null, $"/nonexistent:{tmp.Path}/bin"));
    }

    [Fact]
    public void MissingFromPathIsNull()
    {
        Assert.Null(QemuBinary.Locate(null, null, "/nonexistent"));
    }

    [Fact]
    public void OptionBeatsEnvironmentBeatsPath()
    {
        using var tmp = new TempDir();
        var a = tmp.Script("a", "exit 0");
        var b = tmp.Script("b", "exit 0");
        tmp.Script("bin/qemu-system-x86_64", "exit 0");
        Assert.Equal(a, QemuBinary.Locate(a, b, $"{tmp.Path}/bin"));
        Assert.Equal(b, QemuBinary.Locate(null, b, $"{tmp.Path}/bin"));
    }

    [Fact]
    public void WrongExplicitPathIsAnErrorNamingTheSource()
    {
        var e = Assert.Throws<UserErrorException>(() => QemuBinary.Locate(null, "/nope/qemu", "/usr/bin"));
        Assert.Equal("RUNNER_QEMU=/nope/qemu not found: fix the path or unset it", e.Message);
    }

    [Theory]
    [InlineData("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)", "7.2.22")]
    [InlineData("QEMU emulator version 9.1.0", "9.1.0")]
    [InlineData("QEMU emulator version 8.2", "8.2")]
    public void ParsesVersion(string text, string expected)
    {
        Assert.Equal(Version.Parse(expected), QemuBinary.ParseVersion(text));
    }

    [Fact]
    public async Task ProbeReadsVersionFromTheBinary()
    {
        using var tmp = new TempDir();
        var fake = tmp.Script("qemu", "echo 'QEMU emulator version 8.1.3 (fake)'; echo 'Copyright (c) 2003-2023'");
        var q = await HostCapsProbe.QemuVersionAsync(fake);
        Assert.Equal(new Version(8, 1, 3), q.Version);
        Assert.Equal("QEMU emulator version 8.1.3 (fake)", q.VersionText);
    }
}
