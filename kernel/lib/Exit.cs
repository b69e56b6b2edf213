using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>Leaves QEMU through the isa-debug-exit device (port 0xf4).</summary>
    public static class Exit
    {
        [DllImport("*", EntryPoint = "debug_exit"), SuppressGCTransition]
        private static extern void DebugExit(uint value);

        public static void Now(uint value) => DebugExit(value);
    }
}
