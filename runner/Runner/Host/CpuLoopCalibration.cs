using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Runner.Host;

/// <summary>
/// A fixed piece of integer work timed on L0 and again inside L1: their ratio is how much
/// slower L1 runs code, which stretches every time limit that was tuned on an ordinary host.
/// </summary>
public static class CpuLoopCalibration
{
    const int Iterations = 4_000_000;
    const int Rounds = 5;

    /// <summary>The median of a few rounds, so one preempted round does not set the scale.</summary>
    public static long MeasureNanoseconds()
    {
        var samples = new long[Rounds];
        ulong sink = 0;
        for (int r = 0; r < Rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            sink ^= Work(Iterations, (ulong)r + 1);
            samples[r] = (long)clock.Elapsed.TotalNanoseconds;
        }
        GC.KeepAlive(sink);
        Array.Sort(samples);
        return Math.Max(1, samples[Rounds / 2]);
    }

    // Optimized at once: tier-0 code on one side and tier-1 on the other would skew the ratio.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static ulong Work(int n, ulong x)
    {
        for (int i = 0; i < n; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        return x;
    }
}
