namespace Runner.Nested;

/// <summary>A kernel ready to boot as the L1 host: its image, its modules, and what to call it.</summary>
/// <param name="ModulesDir">lib/modules/RELEASE, or null when everything needed is built in</param>
/// <param name="Origin">where it came from, for every report ("Debian package linux-image-…")</param>
public sealed record HostKernel(string Image, string? ModulesDir, string Release, string Origin);
