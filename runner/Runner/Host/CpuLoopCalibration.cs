using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Runner.Host;

/// <summary>
/// A fixed piece of work timed on L0 and again inside L1: their ratio is how much slower L1
/// runs, which stretches every time limit that was tuned on an ordinary host. Register-only
/// arithmetic runs nearly at native speed under TCG; what an emulated L1 pays for is memory
/// (every access goes through its soft MMU) and page faults, so the work is mostly those.
/// </summary>
public static class CpuLoopCalibration
{
    const int Iterations = 1_000_000;
    const int Rounds = 5;
    const int Bytes = 16 << 20;
    const int Page = 4096;
    const int Line = 64;

    /// <summary>The median of a few rounds, so one preempted round does not set the scale.</summary>
    public static long MeasureNanoseconds()
    {
        var samples = new long[Rounds];
        ulong sink = 0;
        for (int r = 0; r < Rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            sink ^= Work(Iterations, (ulong)r + 1);
            sink ^= TouchFreshMemory();
            samples[r] = (long)clock.Elapsed.TotalNanoseconds;
        }
        GC.KeepAlive(sink);
        Array.Sort(samples);
        return Math.Max(1, samples[Rounds / 2]);
    }

    /// <summary>Fresh pages (a fault each: mapped anew every round, where malloc would reuse), then a read of every cache line.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static unsafe ulong TouchFreshMemory()
    {
        byte* p = (byte*)mmap(IntPtr.Zero, Bytes, ProtReadWrite, MapPrivateAnonymous, -1, IntPtr.Zero);
        if (p == (byte*)-1) return 0;
        try
        {
            for (int i = 0; i < Bytes; i += Page) p[i] = (byte)i;
            ulong sum = 0;
            for (int i = 0; i < Bytes; i += Line) sum += p[i];
            return sum;
        }
        finally
        {
            munmap((IntPtr)p, Bytes);
        }
    }

    const int ProtReadWrite = 3;
    const int MapPrivateAnonymous = 0x22;

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern IntPtr mmap(IntPtr addr, nint length, int prot, int flags, int fd, IntPtr offset);

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int munmap(IntPtr addr, nint length);

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
