namespace Runner.Workspace;

/// <summary>
/// The user's cache folder for everything the runner keeps between runs and between clones:
/// $KTEST_CACHE, else $XDG_CACHE_HOME/ktest, else ~/.cache/ktest.
/// </summary>
public static class UserCacheDir
{
    public const string Variable = "KTEST_CACHE";

    public static string Root()
    {
        var explicitDir = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(explicitDir))
            return Path.GetFullPath(explicitDir);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "ktest");
    }
}
