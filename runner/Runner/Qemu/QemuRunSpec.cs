namespace Runner.Qemu;

/// <summary>Everything that goes into one QEMU command line; built by <see cref="QemuCommandBuilder"/>.</summary>
public sealed record QemuRunSpec
{
    public required string QemuPath { get; init; }
    public required string KernelPath { get; init; }
    public required AccelKind Accel { get; init; }
    public string Machine { get; init; } = "microvm";
    /// <summary>Used only under KVM; TCG always gets "max".</summary>
    public string KvmCpuModel { get; init; } = "host";
    public int Smp { get; init; } = 1;
    public int MemoryMiB { get; init; } = 64;
    /// <summary>Guest command-line words after the runner's own cpus=N.</summary>
    public IReadOnlyList<string> Append { get; init; } = [];
    public string? QmpSocket { get; init; }
    public IReadOnlyList<string> ExtraParams { get; init; } = [];
}
