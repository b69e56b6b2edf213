using System.Text.RegularExpressions;

namespace Runner.Host;

/// <summary>The QEMU executable the runner will start, and its version (which decides some guest features).</summary>
public sealed partial record QemuBinary(string Path, string VersionText, Version? Version)
{
    public const string DefaultName = "qemu-system-x86_64";
    /// <summary>Lets tests substitute a stand-in (a script that hangs) for QEMU.</summary>
    public const string EnvironmentVariable = "RUNNER_QEMU";
    public const string InstallHint = "qemu-system-x86_64 not found: apt-get install qemu-system-x86";

    [GeneratedRegex(@"version (\d+\.\d+(\.\d+)?)")]
    private static partial Regex VersionPattern();

    /// <summary>Option beats environment beats PATH. Returns null only for the PATH case; an explicit path that is wrong is an error.</summary>
    public static string? Locate(string? optionPath, string? environmentPath, string? pathVariable)
    {
        foreach (var (explicitPath, origin) in new[] { (optionPath, "--qemu"), (environmentPath, EnvironmentVariable) })
        {
            if (string.IsNullOrEmpty(explicitPath)) continue;
            var resolved = explicitPath.Contains('/') ? System.IO.Path.GetFullPath(explicitPath) : SearchPath(explicitPath, pathVariable);
            if (resolved is null || !File.Exists(resolved))
                throw new UserErrorException($"{origin}={explicitPath} not found: fix the path or unset it");
            return resolved;
        }
        return SearchPath(DefaultName, pathVariable);
    }

    public static string LocateOrThrow(string? optionPath) =>
        Locate(optionPath, Environment.GetEnvironmentVariable(EnvironmentVariable), Environment.GetEnvironmentVariable("PATH"))
        ?? throw new UserErrorException(InstallHint);

    static string? SearchPath(string name, string? pathVariable)
    {
        foreach (var dir in (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static Version? ParseVersion(string text)
    {
        var match = VersionPattern().Match(text);
        return match.Success ? Version.Parse(match.Groups[1].Value) : null;
    }
}
