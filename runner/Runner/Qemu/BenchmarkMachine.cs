namespace Runner.Qemu;

/// <summary>
/// What every benchmark VM adds to its QEMU command line so that APICv/AVIC can stay active
/// (Host/ApicvInhibits.cs lists the inhibits and their guards). QEMU's in-kernel PIT (kvm-pit,
/// on machines with a full in-kernel irqchip such as q35) defaults to lost_tick_policy=delay,
/// which KVM runs in reinject mode, and reinject inhibits AVIC for the whole VM (PIT_REINJ).
/// microvm's split irqchip gives it a user-space PIT instead, which inhibits nothing, but a
/// config may pick another machine. The kernels never use the PIT, so the VM gets none;
/// should a config bring one back, it is told to discard lost ticks, which keeps reinject off.
/// </summary>
public static class BenchmarkMachine
{
    public static readonly IReadOnlyList<string> Args =
        ["-machine", "pit=off", "-global", "kvm-pit.lost_tick_policy=discard"];

    /// <summary>
    /// The machine that keeps an in-kernel PIT in reinject mode, on purpose (`--keep-pit`): to
    /// see the inhibit detection work. q35 has a full in-kernel irqchip, hence kvm-pit.
    /// </summary>
    public const string ReinjectingPitMachine = "q35";
}
