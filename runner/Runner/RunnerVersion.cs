using System.Reflection;

namespace Runner;

/// <summary>The runner's version as built (the SDK appends the git commit to the informational version).</summary>
public static class RunnerVersion
{
    public static string Text { get; } =
        typeof(RunnerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RunnerVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
