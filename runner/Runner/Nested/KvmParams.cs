using System.Text.RegularExpressions;

namespace Runner.Nested;

/// <summary>`--host-kvm-param kvm_amd.avic=1`: module parameters for L1's KVM modules, by module.</summary>
public static partial class KvmParams
{
    public static readonly IReadOnlyList<string> Modules = ["kvm", "kvm_amd", "kvm_intel"];

    /// <summary>As the kernel command line spells them: kvm_amd.avic=1 ...</summary>
    public static IEnumerable<string> AsKernelArguments(IReadOnlyDictionary<string, IReadOnlyList<string>> byModule) =>
        byModule.SelectMany(kv => kv.Value.Select(p => $"{kv.Key}.{p}"));

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Parse(IEnumerable<string> values)
    {
        var byModule = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var m = Shape().Match(value);
            if (!m.Success)
                throw new UserErrorException($"--host-kvm-param {value}: expected MODULE.PARAM=VALUE, e.g. kvm_amd.avic=1");
            var module = m.Groups[1].Value.Replace('-', '_');
            if (!Modules.Contains(module))
                throw new UserErrorException($"--host-kvm-param {value}: module {module} is not one of {string.Join(", ", Modules)}");
            if (!byModule.TryGetValue(module, out var list)) byModule[module] = list = [];
            list.Add($"{m.Groups[2].Value}={m.Groups[3].Value}");
        }
        return byModule.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value, StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^([a-z_-]+)\.([a-z0-9_]+)=([A-Za-z0-9_,.-]+)$")]
    private static partial Regex Shape();
}
