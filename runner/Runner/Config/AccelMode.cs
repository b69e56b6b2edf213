namespace Runner.Config;

/// <summary>What a test entry (or the --accel option) allows.</summary>
public enum AccelMode
{
    /// <summary>KVM when usable, TCG otherwise.</summary>
    Any,
    Kvm,
    Tcg,
}

public static class AccelModeText
{
    public static bool TryParse(string text, out AccelMode mode)
    {
        switch (text)
        {
            case "any": mode = AccelMode.Any; return true;
            case "kvm": mode = AccelMode.Kvm; return true;
            case "tcg": mode = AccelMode.Tcg; return true;
            default: mode = AccelMode.Any; return false;
        }
    }

    public static string ToText(this AccelMode mode) => mode switch
    {
        AccelMode.Kvm => "kvm",
        AccelMode.Tcg => "tcg",
        _ => "any",
    };
}
