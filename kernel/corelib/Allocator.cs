using System.Runtime;
using System.Runtime.InteropServices;

namespace Internal.Runtime
{
    // Objects are never freed: a test kernel allocates a few arrays at start-up and
    // runs to exit. The boot layer hands out zeroed memory from a fixed heap.
    internal static unsafe class Allocator
    {
        // MethodTable: uint16 component size, uint16 flags, uint32 base size.
        private const int BaseSizeOffset = 4;
        private const int ArrayLengthOffset = 8;

        [DllImport("*"), SuppressGCTransition]
        private static extern byte* heap_alloc(nuint size);

        private static byte* Allocate(nuint size)
        {
            byte* p = heap_alloc((size + 7) & ~(nuint)7);
            if (p == null) RuntimeFailure.Raise(RuntimeFailure.OutOfMemory);
            return p;
        }

        [RuntimeExport("RhpNewFast")]
        private static void* NewObject(byte* methodTable)
        {
            byte* p = Allocate(*(uint*)(methodTable + BaseSizeOffset));
            *(byte**)p = methodTable;
            return p;
        }

        [RuntimeExport("RhpNewArrayFast")]
        private static void* NewArray(byte* methodTable, int length)
        {
            if (length < 0) RuntimeFailure.Raise(RuntimeFailure.Overflow);
            nuint componentSize = *(ushort*)methodTable;
            byte* p = Allocate(*(uint*)(methodTable + BaseSizeOffset) + componentSize * (nuint)length);
            *(byte**)p = methodTable;
            *(int*)(p + ArrayLengthOffset) = length;
            return p;
        }
    }
}
