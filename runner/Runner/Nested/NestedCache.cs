namespace Runner.Nested;

/// <summary>
/// Where downloaded kernel packages, busybox and built initramfs images are kept between
/// runs and between clones: the user's cache folder, since a clean clone must not fetch
/// 100 MB again.
/// </summary>
public static class NestedCache
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

    public static string Dir(params string[] parts)
    {
        var dir = Path.Combine([Root(), .. parts]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
