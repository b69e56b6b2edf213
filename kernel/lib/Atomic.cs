using System.Runtime;
using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>LOCK-prefixed read-modify-write instructions, implemented in kernel/boot/cpu.asm.</summary>
    public static unsafe class Atomic
    {
        [DllImport("*", EntryPoint = "atomic_xadd32"), SuppressGCTransition]
        public static extern int FetchAdd(int* location, int value);
        [DllImport("*", EntryPoint = "atomic_cmpxchg32"), SuppressGCTransition]
        public static extern int CompareExchange(int* location, int expected, int desired);
        /// <summary>LOCK BTR: clears bit and returns whether it was set, in one atomic step.</summary>
        [DllImport("*", EntryPoint = "atomic_btr64"), SuppressGCTransition]
        public static extern bool TestAndClear(ulong* location, int bit);
    }
}
