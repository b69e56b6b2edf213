namespace Runner.Config;

/// <summary>The host capabilities a test entry may name in `requires`; each is answered by Execution.RequirementCheck.</summary>
public static class Requirement
{
    public const string Kvm = "kvm";
    public const string X2Apic = "x2apic";
    public const string PvEoi = "pv-eoi";
    public const string Apicv = "apicv";
    public const string Ipiv = "ipiv";
    public const string Avic = "avic";

    public static readonly IReadOnlyList<string> All = [Kvm, X2Apic, PvEoi, Apicv, Ipiv, Avic];
}
