namespace Internal.Runtime
{
    // Byte-wise on purpose: ilc vectorises wider copies with SSE, which the guest
    // must not execute (docs/host-notes.md).
    public static unsafe class Memory
    {
        public static void Move(byte* dst, byte* src, nuint count)
        {
            if (dst < src)
            {
                for (nuint i = 0; i < count; i++) dst[i] = src[i];
            }
            else
            {
                for (nuint i = count; i > 0; i--) dst[i - 1] = src[i - 1];
            }
        }

        public static void Set(byte* dst, byte value, nuint count)
        {
            for (nuint i = 0; i < count; i++) dst[i] = value;
        }
    }
}
