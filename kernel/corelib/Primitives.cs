// The minimal core library the test kernels are compiled against. There is no
// runtime, no GC and no exception dispatch in the guest: these types exist because
// Roslyn and ilc need them by name, and they carry only what the kernels use.
namespace System
{
    public class Object
    {
        // Every object starts with its MethodTable pointer; ilc lays objects out so.
#pragma warning disable 169
        private IntPtr m_pEEType;
#pragma warning restore 169

        public virtual bool Equals(object? o) => this == o;
        public virtual int GetHashCode() => 0;
        public virtual string? ToString() => null;
        ~Object() { }
    }

    public struct Void { }
    public struct Boolean { }
    public struct Char { }
    public struct SByte { }
    public struct Byte { }
    public struct Int16 { }
    public struct UInt16 { }
    public struct Int32 { public const int MaxValue = 0x7FFFFFFF; public const int MinValue = unchecked((int)0x80000000); }
    public struct UInt32 { public const uint MaxValue = 0xFFFFFFFF; }
    public struct Int64 { public const long MaxValue = 0x7FFFFFFFFFFFFFFF; public const long MinValue = unchecked((long)0x8000000000000000); }
    public struct UInt64 { public const ulong MaxValue = 0xFFFFFFFFFFFFFFFF; }
    public struct Single { }
    public struct Double { }

    public unsafe struct IntPtr
    {
#pragma warning disable 169
        private void* _value;
#pragma warning restore 169
    }

    public unsafe struct UIntPtr
    {
#pragma warning disable 169
        private void* _value;
#pragma warning restore 169
    }

    public abstract class ValueType { }
    public abstract class Enum : ValueType { }
    public struct Nullable<T> where T : struct { }

    public struct RuntimeTypeHandle { }
    public struct RuntimeMethodHandle { }
    public struct RuntimeFieldHandle { }

    public abstract class Delegate { }
    public abstract class MulticastDelegate : Delegate { }

    public abstract class Type { }
    internal sealed class RuntimeType : Type { }

    public class Exception
    {
        public Exception() { }
        public Exception(string message) { }
    }

    public interface IDisposable { void Dispose(); }
    public ref struct TypedReference { }
    public ref struct ArgIterator { }
    public struct RuntimeArgumentHandle { }
}
