using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>The stack frame boot/isr.asm builds: saved registers, then vector and
    /// error code, then what the CPU pushed (SDM vol. 3A fig. 6-9, 64-bit mode).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InterruptFrame
    {
        public ulong R15, R14, R13, R12, R11, R10, R9, R8;
        public ulong Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        public ulong Vector, ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss;
    }
}
