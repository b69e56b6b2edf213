namespace Runner.Qemu;

/// <summary>The accelerator a run actually uses (as opposed to Config.AccelMode, what it allows).</summary>
public enum AccelKind { Kvm, Tcg }

public static class AccelKindText
{
    public static string ToText(this AccelKind a) => a == AccelKind.Kvm ? "kvm" : "tcg";
}
