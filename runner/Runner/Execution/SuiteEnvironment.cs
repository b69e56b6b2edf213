using Runner.Host;

namespace Runner.Execution;

/// <summary>A <see cref="SuiteSelection"/> with the host it runs on: what every test of one `runner run` shares.</summary>
/// <param name="AnyKvm">Whether some selected test runs under KVM (else the host's KVM is only described).</param>
public sealed record SuiteEnvironment(SuiteSelection Selection, HostCaps Caps, bool AnyKvm)
{
    public RunSettings Settings(string logsDir, TimeSpan? hardTimeout, bool kvmStats) => new()
    {
        Paths = Selection.Paths,
        LogsDir = logsDir,
        Caps = Caps,
        QemuPath = Selection.QemuPath,
        ForcedAccel = Selection.ForcedAccel,
        Errata = Selection.Errata,
        HardTimeout = hardTimeout,
        KvmStats = kvmStats,
    };
}
