using System.Runtime.CompilerServices;

namespace System.Runtime.Intrinsics.X86
{
    /// <summary>
    /// The JIT emits these [Intrinsic] methods as the one instruction they name, in place:
    /// a spin-wait's PAUSE costs no CALL and RET, which on a host that emulates each guest
    /// instruction is two thirds of the cost. The bodies only run if the JIT did not expand
    /// them; `runner disasm` shows that it did.
    /// </summary>
    [Intrinsic]
    public abstract class X86Base
    {
        public static bool IsSupported => IsSupported;

        [Intrinsic]
        public static void Pause() => Pause();
    }
}
