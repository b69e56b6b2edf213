namespace Kernel
{
    /// <summary>
    /// How many times slower than an ordinary host this one runs guest code, as the runner
    /// measured it: `timescale=K` on the command line, which the runner adds only on such a host
    /// (an L1 Linux host under TCG); 1 when absent. A test whose verdict depends on a wait being
    /// long enough for the host to give every vCPU its turn stretches that wait by it.
    /// </summary>
    public static class HostSpeed
    {
        /// <summary>The runner's own cap (NestedHost.MaxTimeScale): past it a hang would take hours to be called one.</summary>
        public const long MaxTimeScale = 40;

        public static ulong TimeScale
        {
            get
            {
                long k = CommandLine.GetInt("timescale", 1);
                return k < 1 ? 1 : k > MaxTimeScale ? (ulong)MaxTimeScale : (ulong)k;
            }
        }

        public static bool Slowed => TimeScale > 1;
    }
}
