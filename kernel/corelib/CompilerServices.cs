namespace System.Runtime.CompilerServices
{
    internal sealed class IntrinsicAttribute : Attribute { }

    public static class RuntimeFeature
    {
        public const string UnmanagedSignatureCallingConvention = nameof(UnmanagedSignatureCallingConvention);
        public const string VirtualStaticsInInterfaces = nameof(VirtualStaticsInInterfaces);
        public const string DefaultImplementationsOfInterfaces = nameof(DefaultImplementationsOfInterfaces);
    }

    public static class RuntimeHelpers
    {
        public static unsafe int OffsetToStringData => sizeof(IntPtr) + sizeof(int);
    }

    public sealed class IsVolatile { }
    public sealed class IsConst { }
    public sealed class IsExternalInit { }
    public sealed class CallConvCdecl { }
    public sealed class CallConvStdcall { }
    public sealed class CallConvSuppressGCTransition { }

    [AttributeUsage(AttributeTargets.All)]
    public sealed class IsUnmanagedAttribute : Attribute { }
    public sealed class IsReadOnlyAttribute : Attribute { }
    public sealed class IsByRefLikeAttribute : Attribute { }
    public sealed class NullableAttribute : Attribute { public NullableAttribute(byte b) { } public NullableAttribute(byte[] b) { } }
    public sealed class NullableContextAttribute : Attribute { public NullableContextAttribute(byte b) { } }
    public sealed class CompilerGeneratedAttribute : Attribute { }
    public sealed class FixedBufferAttribute : Attribute { public FixedBufferAttribute(Type t, int length) { } }
    public sealed class ExtensionAttribute : Attribute { }
    public sealed class SkipLocalsInitAttribute : Attribute { }
    public sealed class RefSafetyRulesAttribute : Attribute { public RefSafetyRulesAttribute(int version) { } }
    public sealed class ScopedRefAttribute : Attribute { }

    public enum MethodImplOptions
    {
        NoInlining = 0x0008,
        NoOptimization = 0x0040,
        AggressiveInlining = 0x0100,
        InternalCall = 0x1000,
    }

    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)]
    public sealed class MethodImplAttribute : Attribute
    {
        public MethodImplAttribute(MethodImplOptions options) { }
    }
}

namespace System.Runtime.InteropServices
{
    public enum CallingConvention { Winapi = 1, Cdecl = 2, StdCall = 3, ThisCall = 4, FastCall = 5 }
    public enum CharSet { None = 1, Ansi = 2, Unicode = 3, Auto = 4 }
    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }

    public sealed class DllImportAttribute : Attribute
    {
        public DllImportAttribute(string dllName) { }
        public string? EntryPoint;
        public CallingConvention CallingConvention;
        public CharSet CharSet;
        public bool ExactSpelling;
    }

    [AttributeUsage(AttributeTargets.Method)]
    public sealed class UnmanagedCallersOnlyAttribute : Attribute
    {
        public string? EntryPoint;
        public Type[]? CallConvs;
    }

    [AttributeUsage(AttributeTargets.Method)]
    public sealed class SuppressGCTransitionAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Struct | AttributeTargets.Class)]
    public sealed class StructLayoutAttribute : Attribute
    {
        public StructLayoutAttribute(LayoutKind layoutKind) { }
        public int Pack;
        public int Size;
    }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class FieldOffsetAttribute : Attribute { public FieldOffsetAttribute(int offset) { } }

    public sealed class InAttribute : Attribute { }
    public sealed class OutAttribute : Attribute { }
}
