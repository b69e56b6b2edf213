namespace Runner.Config;

/// <summary>
/// What an erratum's `when` can talk about: the host (from Host.HostCaps) and the run
/// (the accelerator actually used). Kept as plain strings so the condition language does
/// not depend on the probe's types.
/// </summary>
public sealed record ConditionFacts(string Backend, string Accel, string Vendor, Version? Qemu)
{
    /// <summary>The host kernel's version (6.12.117 of "6.12.117+deb12-amd64"); null when unknown.</summary>
    public Version? Kernel { get; init; }

    /// <summary>How the L1 host this runs in is itself run: tcg or kvm; none on an ordinary host.</summary>
    public string L1 { get; init; } = "none";

    /// <summary>The leading dotted numbers of a kernel release: "6.1.0-57-amd64" is 6.1.0.</summary>
    public static Version? KernelVersion(string release)
    {
        var digits = new string(release.TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray()).TrimEnd('.');
        return Version.TryParse(digits.Contains('.') ? digits : digits + ".0", out var v) ? v : null;
    }
}
