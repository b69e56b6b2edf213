using System.Runtime.CompilerServices;

namespace System.Threading
{
    /// <summary>
    /// The JIT expands these [Intrinsic] methods in place (LOCK XADD), so an atomic
    /// count costs one instruction instead of a call. The bodies only run if the JIT did
    /// not expand them; the image check's disassembly shows that it did.
    /// </summary>
    public static class Interlocked
    {
        [Intrinsic]
        public static int ExchangeAdd(ref int location1, int value) => ExchangeAdd(ref location1, value);
    }
}
