namespace Runner.Nested;

/// <summary>
/// Where downloaded kernel packages, busybox and built initramfs images are kept between
/// runs and between clones: the user's cache folder, since a clean clone must not fetch
/// 100 MB again.
/// </summary>
public static class NestedCache
{
    public const string Variable = Workspace.UserCacheDir.Variable;

    public static string Root() => Workspace.UserCacheDir.Root();

    public static string Dir(params string[] parts)
    {
        var dir = Path.Combine([Root(), .. parts]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
