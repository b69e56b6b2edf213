using System.Reflection;
using System.Reflection.Emit;

namespace Runner.Tests.Architecture;

/// <summary>
/// The runner's layers depend one way, bottom to top. Reads the built runner assembly: every
/// type's base, interfaces, fields, properties, method signatures and the members its IL
/// touches, so a reference hidden in a method body counts as much as one in a signature.
/// </summary>
public class LayerTests
{
    /// <summary>
    /// Bottom to top; a namespace may use its own layer and those below. The first segment
    /// after `Runner.` names the folder (Reporting.Plots is Reporting).
    /// </summary>
    static readonly string[][] Layers =
    [
        ["Runner", "Config", "Protocol", "Stats", "Workspace"],
        ["Host"],
        ["Processes"],
        ["Qemu", "Counters"],
        ["Execution"],
        ["Nested"],
        ["Bench"],
        ["Reporting"],
        ["Cli"],
    ];

    static readonly Assembly RunnerAssembly = typeof(Runner.Cli.RunnerCli).Assembly;

    [Fact]
    public void EveryNamespaceHasALayer()
    {
        var unplaced = RunnerAssembly.GetTypes().Select(Folder).Where(f => f is not null && LayerOf(f) < 0).Distinct().ToList();
        Assert.True(unplaced.Count == 0, $"namespaces with no layer (add them to {nameof(Layers)}): {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void NoLayerReferencesAHigherOne()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in RunnerAssembly.GetTypes())
        {
            if (Folder(type) is not { } from) continue;
            int fromLayer = LayerOf(from);
            foreach (var used in References(type))
                if (Folder(used) is { } to && LayerOf(to) > fromLayer)
                    violations.Add($"{Outer(type).FullName} ({from}) uses {Outer(used).FullName} ({to})");
        }
        Assert.True(violations.Count == 0, $"{violations.Count} upward reference(s):\n" + string.Join("\n", violations));
    }

    /// <summary>The probe itself: a reference inside a method body is found.</summary>
    [Fact]
    public void ReferencesInMethodBodiesAreSeen()
    {
        var used = References(typeof(Runner.Cli.RunnerCli)).Select(t => t.Namespace).ToHashSet();
        Assert.Contains("System.CommandLine", used);
    }

    static Type Outer(Type t) => t.DeclaringType is { } d ? Outer(d) : t;

    static string? Folder(Type t)
    {
        var ns = Outer(t).Namespace;
        if (ns is null || t.Assembly != RunnerAssembly) return null;
        if (ns == "Runner") return "Runner";
        if (!ns.StartsWith("Runner.", StringComparison.Ordinal)) return null;
        return ns["Runner.".Length..].Split('.')[0];
    }

    static int LayerOf(string folder) => Array.FindIndex(Layers, l => l.Contains(folder));

    const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    static IEnumerable<Type> References(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericParameter || !found.Add(t)) return;
            if (t.IsGenericType)
                foreach (var a in t.GetGenericArguments()) Add(a);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(All)) Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var t in BodyReferences(m)) Add(t);
        }
        return found;
    }

    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Types named by the tokens of a method's IL (calls, field accesses, casts, newobj, ldtoken).</summary>
    static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            var op = OpCodesByValue[value];
            int size = OperandSize(op.OperandType, il, pos);
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                int token = BitConverter.ToInt32(il, pos);
                MemberInfo? member;
                try { member = method.Module.ResolveMember(token, typeArgs, methodArgs); }
                catch (ArgumentException) { member = null; }
                switch (member)
                {
                    case Type t: yield return t; break;
                    case MethodBase mb:
                        if (mb.DeclaringType is { } dt) yield return dt;
                        if (mb is MethodInfo mi) yield return mi.ReturnType;
                        if (mb.IsGenericMethod) foreach (var a in mb.GetGenericArguments()) yield return a;
                        break;
                    case FieldInfo fi:
                        if (fi.DeclaringType is { } ft) yield return ft;
                        yield return fi.FieldType;
                        break;
                }
            }
            pos += size;
        }
    }

    static int OperandSize(OperandType t, byte[] il, int pos) => t switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
        _ => 4,
    };
}
