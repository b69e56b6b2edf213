using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace ImageTool.Layout;

/// <summary>
/// Field offsets and constants of the structures in a compiled assembly, read from its
/// metadata the way the runtime lays them out: sequential fields at their natural alignment
/// (or <c>Pack</c>), explicit ones at their <c>FieldOffset</c>, a declared <c>Size</c> as the
/// minimum. x86-64 only: pointers and references are 8 bytes.
/// </summary>
public sealed class ManagedLayout : IDisposable
{
    const int PointerSize = 8;
    const byte ValueTypeKind = (byte)SignatureTypeKind.ValueType;

    readonly PEReader _pe;
    readonly MetadataReader _md;
    readonly Dictionary<TypeDefinitionHandle, Shape> _shapes = [];
    readonly HashSet<TypeDefinitionHandle> _inProgress = [];

    /// <summary>
    /// A field type's size and alignment. A struct type stays <paramref name="Pending"/> until the
    /// field itself needs it, because the decoder visits a pointer's element type too, and a
    /// structure may point at its own kind (<c>PerCpu* Self</c>).
    /// </summary>
    public readonly record struct Shape(int Size, int Align, TypeDefinitionHandle Pending = default);

    ManagedLayout(PEReader pe)
    {
        _pe = pe;
        _md = pe.GetMetadataReader();
    }

    /// <exception cref="ImageToolException">the file is missing or is not a .NET assembly</exception>
    public static ManagedLayout Load(string path)
    {
        if (!File.Exists(path)) throw new ImageToolException($"{path} not found: build the kernel assembly first (make)");
        var pe = new PEReader(File.OpenRead(path));
        if (!pe.HasMetadata) { pe.Dispose(); throw new ImageToolException($"{path} is not a .NET assembly (no metadata)"); }
        return new ManagedLayout(pe);
    }

    /// <summary>Types by simple name (nested types too), so a comment can say <c>PerCpu</c> or <c>AsmParams</c>.</summary>
    public IReadOnlyList<TypeDefinitionHandle> FindTypes(string name) =>
        _md.TypeDefinitions.Where(h => _md.GetString(_md.GetTypeDefinition(h).Name) == name).ToList();

    public string FullName(TypeDefinitionHandle h)
    {
        var t = _md.GetTypeDefinition(h);
        var name = _md.GetString(t.Name);
        var outer = t.GetDeclaringType();
        if (!outer.IsNil) return FullName(outer) + "+" + name;
        var ns = _md.GetString(t.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>The offset of an instance field, or null if the type has none by that name.</summary>
    public int? FieldOffset(TypeDefinitionHandle type, string field)
    {
        foreach (var (name, offset, _) in InstanceFields(type))
            if (name == field) return offset;
        return null;
    }

    /// <summary>A constant's value (const fields of integer types), or null if there is none by that name.</summary>
    public long? Constant(TypeDefinitionHandle type, string name)
    {
        foreach (var fh in _md.GetTypeDefinition(type).GetFields())
        {
            var f = _md.GetFieldDefinition(fh);
            if (_md.GetString(f.Name) != name || (f.Attributes & FieldAttributes.Literal) == 0) continue;
            var c = _md.GetConstant(f.GetDefaultValue());
            var blob = _md.GetBlobReader(c.Value);
            return c.TypeCode switch
            {
                ConstantTypeCode.SByte => blob.ReadSByte(),
                ConstantTypeCode.Byte => blob.ReadByte(),
                ConstantTypeCode.Int16 => blob.ReadInt16(),
                ConstantTypeCode.UInt16 => blob.ReadUInt16(),
                ConstantTypeCode.Int32 => blob.ReadInt32(),
                ConstantTypeCode.UInt32 => blob.ReadUInt32(),
                ConstantTypeCode.Int64 => blob.ReadInt64(),
                ConstantTypeCode.UInt64 => (long)blob.ReadUInt64(),
                _ => null,
            };
        }
        return null;
    }

    public Shape ShapeOf(TypeDefinitionHandle type)
    {
        if (_shapes.TryGetValue(type, out var known)) return known;
        if (!_inProgress.Add(type))
        {
            // Only the core library's primitives contain themselves (System.Int32 holds an
            // int): the kernel assembly is its own system module, so they are defined here.
            return _shapes[type] = PrimitiveByName(FullName(type));
        }
        int end = 0, align = 1;
        foreach (var (_, offset, shape) in InstanceFields(type))
        {
            end = Math.Max(end, offset + shape.Size);
            align = Math.Max(align, shape.Align);
        }
        var layout = _md.GetTypeDefinition(type).GetLayout();
        int pack = layout.PackingSize;
        if (pack > 0) align = Math.Min(align, pack);
        int size = Math.Max(RoundUp(end, align), layout.Size);
        if (size == 0) size = 1;
        _inProgress.Remove(type);
        return _shapes.TryGetValue(type, out var primitive) ? primitive : _shapes[type] = new Shape(size, align);
    }

    static Shape PrimitiveByName(string name) => name switch
    {
        "System.Boolean" or "System.Byte" or "System.SByte" => new(1, 1),
        "System.Char" or "System.Int16" or "System.UInt16" => new(2, 2),
        "System.Int32" or "System.UInt32" or "System.Single" => new(4, 4),
        "System.Int64" or "System.UInt64" or "System.Double" => new(8, 8),
        "System.IntPtr" or "System.UIntPtr" => new(PointerSize, PointerSize),
        _ => throw new ImageToolException($"{name} contains itself, and is no primitive this check knows"),
    };

    IEnumerable<(string Name, int Offset, Shape Shape)> InstanceFields(TypeDefinitionHandle type)
    {
        var def = _md.GetTypeDefinition(type);
        bool explicitLayout = (def.Attributes & TypeAttributes.LayoutMask) == TypeAttributes.ExplicitLayout;
        int pack = def.GetLayout().PackingSize;
        int offset = 0;
        var provider = new ShapeProvider();
        foreach (var fh in def.GetFields())
        {
            var f = _md.GetFieldDefinition(fh);
            if ((f.Attributes & FieldAttributes.Static) != 0) continue;
            var shape = f.DecodeSignature(provider, null);
            if (!shape.Pending.IsNil) shape = ShapeOf(shape.Pending);
            int align = pack > 0 ? Math.Min(shape.Align, pack) : shape.Align;
            int at = explicitLayout ? f.GetOffset() : RoundUp(offset, align);
            yield return (_md.GetString(f.Name), at, shape);
            offset = at + shape.Size;
        }
    }

    static int RoundUp(int value, int align) => (value + align - 1) / align * align;

    public void Dispose() => _pe.Dispose();

    sealed class ShapeProvider : ISignatureTypeProvider<Shape, object?>
    {
        static Shape Natural(int size) => new(size, size);

        public Shape GetPrimitiveType(PrimitiveTypeCode code) => code switch
        {
            PrimitiveTypeCode.Boolean or PrimitiveTypeCode.Byte or PrimitiveTypeCode.SByte => Natural(1),
            PrimitiveTypeCode.Char or PrimitiveTypeCode.Int16 or PrimitiveTypeCode.UInt16 => Natural(2),
            PrimitiveTypeCode.Int32 or PrimitiveTypeCode.UInt32 or PrimitiveTypeCode.Single => Natural(4),
            PrimitiveTypeCode.Int64 or PrimitiveTypeCode.UInt64 or PrimitiveTypeCode.Double => Natural(8),
            _ => Natural(PointerSize),   // IntPtr, UIntPtr, object, string
        };

        public Shape GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            rawTypeKind == ValueTypeKind ? new Shape(0, 0, handle) : Natural(PointerSize);

        public Shape GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
            rawTypeKind == ValueTypeKind
                ? throw new ImageToolException($"a field's struct type {reader.GetString(reader.GetTypeReference(handle).Name)} is defined in another assembly, whose layout this check cannot read")
                : Natural(PointerSize);

        public Shape GetPointerType(Shape elementType) => Natural(PointerSize);
        public Shape GetByReferenceType(Shape elementType) => Natural(PointerSize);
        public Shape GetFunctionPointerType(MethodSignature<Shape> signature) => Natural(PointerSize);
        public Shape GetSZArrayType(Shape elementType) => Natural(PointerSize);
        public Shape GetArrayType(Shape elementType, ArrayShape shape) => Natural(PointerSize);
        public Shape GetGenericInstantiation(Shape genericType, ImmutableArray<Shape> typeArguments) => genericType;
        public Shape GetGenericMethodParameter(object? context, int index) => Natural(PointerSize);
        public Shape GetGenericTypeParameter(object? context, int index) => Natural(PointerSize);
        public Shape GetModifiedType(Shape modifier, Shape unmodifiedType, bool isRequired) => unmodifiedType;
        public Shape GetPinnedType(Shape elementType) => elementType;
        public Shape GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);
    }
}
