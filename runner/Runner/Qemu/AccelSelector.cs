using Runner.Config;
using Runner.Host;

namespace Runner.Qemu;

/// <summary>
/// KVM when the entry allows it and /dev/kvm works, TCG otherwise; always with the reason,
/// because KVM and TCG results differ and a silent fallback would mislead.
/// </summary>
public static class AccelSelector
{
    /// <param name="forced">The --accel option, when given; null means "as the entry says".</param>
    public static AccelDecision Choose(AccelMode entryMode, AccelMode? forced, Capability kvm)
    {
        if (forced is AccelMode.Kvm or AccelMode.Tcg && entryMode != AccelMode.Any && entryMode != forced)
            return AccelDecision.Skip($"entry needs accel={entryMode.ToText()} but --accel {forced.Value.ToText()} was given");

        var mode = forced is null or AccelMode.Any ? entryMode : forced.Value;
        var origin = forced is AccelMode.Kvm or AccelMode.Tcg ? "--accel" : "entry";
        return mode switch
        {
            AccelMode.Tcg => AccelDecision.Use(AccelKind.Tcg, $"{origin} asks for tcg"),
            AccelMode.Kvm when kvm.Available => AccelDecision.Use(AccelKind.Kvm, $"{origin} asks for kvm; {kvm.Detail}"),
            AccelMode.Kvm => AccelDecision.Skip($"needs KVM, which is unusable here: {kvm.Detail}"),
            _ when kvm.Available => AccelDecision.Use(AccelKind.Kvm, $"KVM usable: {kvm.Detail}"),
            _ => AccelDecision.Use(AccelKind.Tcg, $"falling back to TCG because KVM is unusable: {kvm.Detail}"),
        };
    }
}
