namespace Runner.Config;

/// <summary>
/// What an erratum's `when` can talk about: the host (from Host.HostCaps) and the run
/// (the accelerator actually used). Kept as plain strings so the condition language does
/// not depend on the probe's types.
/// </summary>
public sealed record ConditionFacts(string Backend, string Accel, string Vendor, Version? Qemu);
