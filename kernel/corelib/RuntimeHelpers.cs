using System.Runtime;

// Entry points that ilc's generated code calls by name. A test kernel never
// casts, throws or copies managed references, so the ones that would need a real
// runtime fail fast: the kernel then reports the failure instead of misbehaving.
namespace System.Runtime
{
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeExportAttribute : Attribute
    {
        public RuntimeExportAttribute(string entry) { }
    }

    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeImportAttribute : Attribute
    {
        public RuntimeImportAttribute(string lib) { }
        public RuntimeImportAttribute(string lib, string entry) { }
    }

    internal static unsafe class TypeCast
    {
        private static object? Unsupported() { RuntimeFailure.Raise(RuntimeFailure.Cast); return null; }

        public static object? CheckCastAny(void* pTargetType, object? obj) => Unsupported();
        public static object? CheckCastInterface(void* pTargetType, object? obj) => Unsupported();
        public static object? CheckCastClass(void* pTargetType, object? obj) => Unsupported();
        public static object? CheckCastClassSpecial(void* pTargetType, object? obj) => Unsupported();
        public static object? IsInstanceOfAny(void* pTargetType, object? obj) => Unsupported();
        public static object? IsInstanceOfInterface(void* pTargetType, object? obj) => Unsupported();
        public static object? IsInstanceOfClass(void* pTargetType, object? obj) => Unsupported();
        public static object? IsInstanceOfException(void* pTargetType, object? obj) => Unsupported();
        public static void StelemRef(object?[] array, nint index, object? obj) => Unsupported();
        public static ref object? LdelemaRef(object?[] array, nint index, void* elementType) { Unsupported(); return ref array[0]; }
    }
}

namespace System
{
    internal static unsafe class Buffer
    {
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
            => RuntimeFailure.Raise(RuntimeFailure.WriteBarrier);

        internal static void Memmove(ref byte destination, ref byte source, nuint byteCount)
        {
            fixed (byte* d = &destination)
            fixed (byte* s = &source)
                Internal.Runtime.Memory.Move(d, s, byteCount);
        }
    }

    // Targets of the JIT's block copy/fill helpers; byte loops keep them SSE-free.
    internal static unsafe class SpanHelpers
    {
        internal static void Memmove(ref byte destination, ref byte source, nuint byteCount)
        {
            fixed (byte* d = &destination)
            fixed (byte* s = &source)
                Internal.Runtime.Memory.Move(d, s, byteCount);
        }

        internal static void Fill(ref byte destination, nuint byteCount, byte value)
        {
            fixed (byte* d = &destination) Internal.Runtime.Memory.Set(d, value, byteCount);
        }

        internal static void ClearWithoutReferences(ref byte destination, nuint byteCount)
        {
            fixed (byte* d = &destination) Internal.Runtime.Memory.Set(d, 0, byteCount);
        }
    }
}

namespace System.Runtime.InteropServices
{
    public unsafe interface IDynamicInterfaceCastable
    {
        internal static IntPtr GetDynamicInterfaceImplementation(object instance, void* interfaceType, ushort slot)
        {
            RuntimeFailure.Raise(RuntimeFailure.Cast);
            return default;
        }
    }
}

namespace Internal.Runtime.CompilerHelpers
{
    internal static class ThrowHelpers
    {
        private static void Throw(int why) => RuntimeFailure.Raise(why);

        public static void ThrowFeatureBodyRemoved() => Throw(RuntimeFailure.FeatureRemoved);
        public static void ThrowOverflowException() => Throw(RuntimeFailure.Overflow);
        public static void ThrowIndexOutOfRangeException() => Throw(RuntimeFailure.IndexOutOfRange);
        public static void ThrowNullReferenceException() => Throw(RuntimeFailure.NullReference);
        public static void ThrowDivideByZeroException() => Throw(RuntimeFailure.DivideByZero);
        public static void ThrowArrayTypeMismatchException() => Throw(RuntimeFailure.Cast);
        public static void ThrowInvalidCastException() => Throw(RuntimeFailure.Cast);
        public static void ThrowPlatformNotSupportedException() => Throw(RuntimeFailure.FeatureRemoved);
        public static void ThrowTypeLoadException() => Throw(RuntimeFailure.FeatureRemoved);
        public static void ThrowArgumentException() => Throw(RuntimeFailure.Argument);
        public static void ThrowArgumentOutOfRangeException() => Throw(RuntimeFailure.IndexOutOfRange);
        public static void ThrowNotImplementedException() => Throw(RuntimeFailure.FeatureRemoved);
    }
}
