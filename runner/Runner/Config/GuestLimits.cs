namespace Runner.Config;

/// <summary>What the test kernels themselves can handle, so a config asking for more fails at parse time, not in the guest.</summary>
public static class GuestLimits
{
    /// <summary>The per-CPU areas, TSS descriptors and AP stacks the kernels reserve: MAX_CPUS in kernel/boot/layout.inc, PerCpu.MaxCpus in kernel/lib.</summary>
    public const int MaxCpus = 64;
}
