using Runner.Config;
using Runner.Host;
using Runner.Workspace;

namespace Runner.Execution;

/// <summary>What every test of one `runner run` shares.</summary>
public sealed record RunSettings
{
    public required ProjectPaths Paths { get; init; }
    public required HostCaps Caps { get; init; }
    public required string QemuPath { get; init; }
    /// <summary>Where this run's logs go (runner run: its own <see cref="RunFolder"/>); null: build/logs itself.</summary>
    public string? LogsDir { get; init; }
    /// <summary>The --accel option; null when not given.</summary>
    public AccelMode? ForcedAccel { get; init; }
    public IReadOnlyList<Erratum> Errata { get; init; } = [];
    /// <summary>Overrides the default hard cap (ten idle timeouts, at least a minute).</summary>
    public TimeSpan? HardTimeout { get; init; }
    /// <summary>Read the VM's KVM counters over QMP at every `#kt sync` and at `#kt end` (--kvm-stats).</summary>
    public bool KvmStats { get; init; }

    /// <summary>
    /// Runs at every `#kt sync` point before the VM's counters are read and the guest is
    /// released, with the tag and QEMU's process id (runner pveoi starts and stops perf here).
    /// </summary>
    public Func<string, int, Task>? OnSync { get; init; }
}
