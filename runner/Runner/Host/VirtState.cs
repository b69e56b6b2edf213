using System.Text.Json.Serialization;

namespace Runner.Host;

/// <summary>A wanted on/off setting, or "whatever the host has" (recorded, not changed); the JSON spells it as <see cref="WantText.ToText"/>.</summary>
public enum Want
{
    [JsonStringEnumMemberName("any")] Any,
    [JsonStringEnumMemberName("on")] On,
    [JsonStringEnumMemberName("off")] Off,
}

public static class WantText
{
    public static string ToText(this Want w) => w switch { Want.On => "on", Want.Off => "off", _ => "any" };
}

/// <summary>What one benchmark column needs from the host's KVM module: IPIv on or off, and APICv.</summary>
public sealed record VirtWant(bool Ipiv, Want Apicv)
{
    /// <summary>IPIv works only on top of APICv, so "IPIv on" always means "APICv on".</summary>
    public Want EffectiveApicv => Ipiv ? Want.On : Apicv;

    /// <summary>Null when consistent; else why the combination cannot exist.</summary>
    public string? Contradiction => Ipiv && Apicv == Want.Off
        ? "APICv off with IPIv on is contradictory: IPI virtualization works only on top of APICv (KVM ignores enable_ipiv when enable_apicv=N)"
        : null;
}

/// <summary>
/// The host's interrupt virtualization as its KVM module parameters set it, read from sysfs.
/// On kvm_amd, AVIC is both the APIC virtualization and the IPI acceleration (a running
/// vCPU receives an IPI without a VM exit), so it stands for APICv and IPIv alike.
/// Backends without hardware support (kvm_pvm) have neither.
/// </summary>
public sealed record VirtState(string Backend, bool Apicv, bool Ipiv, string Detail, IReadOnlyDictionary<string, string> Parameters)
{
    public static readonly IReadOnlyList<string> IntelParameters = ["enable_apicv", "enable_ipiv", "enable_device_posted_irqs"];
    /// <summary>kvm_amd's own enable_ipiv is newer than 6.12 (absent means AVIC accelerates IPIs whenever it is on).</summary>
    public static readonly IReadOnlyList<string> AmdParameters = ["avic", "force_avic", "enable_ipiv"];

    public static VirtState Read(KvmModules m)
    {
        var backend = m.Backend;
        switch (backend)
        {
            case KvmModules.Intel:
            {
                var p = Params(m, KvmModules.Intel, IntelParameters);
                bool apicv = KvmModules.IsOn(p.GetValueOrDefault("enable_apicv"));
                bool ipivParam = KvmModules.IsOn(p.GetValueOrDefault("enable_ipiv"));
                bool ipiv = apicv && ipivParam;
                var values = string.Join(" ", IntelParameters.Where(n => n != "enable_device_posted_irqs" || p.ContainsKey(n))
                    .Select(n => $"{n}={p.GetValueOrDefault(n, "missing")}"));
                var meaning = ipivParam && !apicv ? "APICv off, so IPIv off too" : $"APICv {OnOff(apicv)}, IPIv {OnOff(ipiv)}";
                return new VirtState(backend, apicv, ipiv, $"kvm_intel {values}: {meaning}", p);
            }
            case KvmModules.Amd:
            {
                var p = Params(m, KvmModules.Amd, AmdParameters);
                var avicText = p.GetValueOrDefault("avic");
                // avic=-1 is "auto" in kernels that choose by CPU: sysfs then does not say whether
                // AVIC came on, so the state is taken as on and the in-VM trace has the last word.
                bool auto = KvmModules.IsAuto(avicText);
                bool avic = auto || KvmModules.IsOn(avicText);
                bool ipiv = avic && (!p.TryGetValue("enable_ipiv", out var amdIpiv) || KvmModules.IsOn(amdIpiv));
                var values = string.Join(" ", AmdParameters.Where(p.ContainsKey).Select(n => $"{n}={p[n]}"));
                var meaning = auto ? "AVIC auto (sysfs does not say whether it came on; the in-VM trace checks)"
                    : avic && !ipiv ? "AVIC on, its IPI acceleration off (enable_ipiv=N)"
                    : $"AVIC {OnOff(avic)} (AMD's APIC virtualization and IPI acceleration in one)";
                return new VirtState(backend, avic, ipiv, $"kvm_amd {values}: {meaning}", p);
            }
            case KvmModules.None:
                return new VirtState(backend, false, false, "no KVM module is loaded", new Dictionary<string, string>());
            default:
                return new VirtState(backend, false, false,
                    $"{backend}: no APICv, IPIv or AVIC (this backend has no hardware interrupt virtualization)", new Dictionary<string, string>());
        }
    }

    public bool Satisfies(VirtWant want) =>
        Ipiv == want.Ipiv && want.EffectiveApicv switch
        {
            Want.On => Apicv,
            Want.Off => !Apicv,
            _ => true,
        };

    static SortedDictionary<string, string> Params(KvmModules m, string module, IReadOnlyList<string> names)
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in names)
            if (m.Parameter(module, n) is { } v) d[n] = v;
        return d;
    }

    static string OnOff(bool b) => b ? "on" : "off";
}
