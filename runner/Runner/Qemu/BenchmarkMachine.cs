namespace Runner.Qemu;

/// <summary>
/// What every benchmark VM adds to its QEMU command line so that APICv/AVIC can stay active
/// (Host/ApicvInhibits.cs lists the inhibits and their guards). QEMU's in-kernel PIT defaults
/// to lost_tick_policy=delay, which KVM runs in reinject mode, and reinject inhibits AVIC for
/// the whole VM (PIT_REINJ). The kernels never use the PIT, so the VM gets none; should a
/// config bring one back, it is told to discard lost ticks, which keeps reinject off.
/// </summary>
public static class BenchmarkMachine
{
    public static readonly IReadOnlyList<string> Args =
        ["-machine", "pit=off", "-global", "kvm-pit.lost_tick_policy=discard"];

    /// <summary>The PIT kept in reinject mode, on purpose (`--keep-pit`): to see the inhibit detection work.</summary>
    public static readonly IReadOnlyList<string> ReinjectingPitArgs = ["-machine", "pit=on"];
}
