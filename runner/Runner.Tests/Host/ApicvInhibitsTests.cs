using Runner.Host;

namespace Runner.Tests.Host;

public class ApicvInhibitsTests
{
    [Fact]
    public void NamesTheKernelPrintedAreTakenAsTheyAre() =>
        Assert.Equal(["DISABLED", "PIT_REINJ"], ApicvInhibits.Decode(0x201, ["DISABLED", "PIT_REINJ"], "6.12.117+deb12-amd64"));

    [Fact]
    public void ALinux61MaskIsDecodedInThat61Order() =>
        // 6.1 prints numbers only: bit 0 DISABLE, bit 8 PIT_REINJ (kvm_host.h of 6.1).
        Assert.Equal(["DISABLE", "PIT_REINJ"], ApicvInhibits.Decode(0x101, null, "6.1.0-57-amd64"));

    [Fact]
    public void AnUnknownLayoutIsGivenAsBitsNotGuessedNames() =>
        Assert.Equal(["bit 0", "bit 9"], ApicvInhibits.Decode(0x201, null, "6.5.0"));

    [Fact]
    public void EveryReasonNamesItsSourceAndGuard() =>
        Assert.All(ApicvInhibits.All, r => { Assert.NotEmpty(r.Source); Assert.NotEmpty(r.Guard); Assert.NotEmpty(r.Vendors); });
}
