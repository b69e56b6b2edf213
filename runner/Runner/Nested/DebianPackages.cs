using System.Text.RegularExpressions;

namespace Runner.Nested;

/// <summary>
/// Debian packages fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
/// the cache: never installed, so the host's own kernel and packages are untouched.
/// </summary>
public static partial class DebianPackages
{
    const string Complete = ".complete";

    /// <summary>The package of a series: 6.1 is the one linux-image-amd64 depends on, 6.12 the newest +deb12 build.</summary>
    static async Task<string?> ResolveKernelPackageAsync(string series, CancellationToken cancel)
    {
        if (series == "6.1")
        {
            var depends = await QueryAsync(["apt-cache", "depends", "linux-image-amd64"], cancel);
            var pick = depends.Select(l => l.Trim()).Where(l => l.StartsWith("Depends: ", StringComparison.Ordinal))
                .Select(l => l["Depends: ".Length..].Trim()).FirstOrDefault(p => Debian61().IsMatch(p));
            if (pick is not null) return pick;
        }
        var pattern = SeriesPattern(series);
        var names = await QueryAsync(["apt-cache", "search", "--names-only", pattern.ToString()], cancel);
        return names.Select(l => l.Split(' ', 2)[0]).Where(n => pattern.IsMatch(n)).MaxBy(n => n, VersionOrder.Instance);
    }

    static Regex SeriesPattern(string series) => series == "6.1" ? Debian61() : Debian612();

    [GeneratedRegex(@"^linux-image-6\.1\.0-[0-9]+-amd64$")]
    private static partial Regex Debian61();

    [GeneratedRegex(@"^linux-image-6\.12\.[0-9]+\+deb12-amd64$")]
    private static partial Regex Debian612();

    /// <summary>Packages of a series already unpacked in the cache, newest first (for a machine whose apt lists are gone).</summary>
    public static IEnumerable<string> CachedKernelPackages(string series, string cacheDir)
    {
        var pattern = SeriesPattern(series);
        if (!Directory.Exists(cacheDir)) return [];
        return Directory.EnumerateDirectories(cacheDir).Select(Path.GetFileName).OfType<string>()
            .Where(n => pattern.IsMatch(n) && File.Exists(Path.Combine(cacheDir, n, Complete)))
            .OrderByDescending(n => n, VersionOrder.Instance);
    }

    /// <summary>The unpacked tree of <paramref name="package"/> under <paramref name="cacheDir"/>, fetched once.</summary>
    public static async Task<string> UnpackedAsync(string package, string cacheDir, Action<string> note, CancellationToken cancel)
    {
        var tree = Path.Combine(cacheDir, package);
        if (File.Exists(Path.Combine(tree, Complete)))
            return tree;
        var work = Path.Combine(cacheDir, $".{package}.{Environment.ProcessId}");
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        try
        {
            note($"fetching Debian package {package} (apt-get download, kept in {cacheDir})");
            await DownloadAsync(package, work, cancel);
            var deb = Directory.EnumerateFiles(work, "*.deb").Single();
            var unpacked = Path.Combine(work, "tree");
            await Tool.RunAsync(["dpkg-deb", "-x", deb, unpacked], cancel, "is dpkg installed?");
            File.Delete(deb);
            if (Directory.Exists(tree)) Directory.Delete(tree, recursive: true);
            Directory.Move(unpacked, tree);
            await File.WriteAllTextAsync(Path.Combine(tree, Complete), package + "\n", cancel);
            return tree;
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    static async Task DownloadAsync(string package, string dir, CancellationToken cancel)
    {
        // apt-get download runs in the current folder; through `sh -c cd` keeps the runner's own cwd.
        IReadOnlyList<string> argv = ["sh", "-c", "cd \"$1\" && exec apt-get download -q \"$2\"", "sh", dir, package];
        var first = await Tool.TryRunAsync(argv, cancel);
        if (first.ExitStatus == 0) return;
        // A fresh machine's package lists may be missing or stale: refresh them once, as root.
        if (Environment.UserName == "root")
        {
            await Tool.RunAsync(["apt-get", "update", "-q"], cancel, "check the machine's apt sources");
            await Tool.RunAsync(argv, cancel, "check the machine's apt sources");
            return;
        }
        await Tool.RunAsync(argv, cancel, "run `sudo apt-get update` once, then try again");
    }

    /// <summary>apt-cache's answer; empty when it has none (a machine whose lists were never fetched).</summary>
    static async Task<IReadOnlyList<string>> QueryAsync(IReadOnlyList<string> argv, CancellationToken cancel)
    {
        var result = await Tool.TryRunAsync(argv, cancel);
        return result.ExitStatus == 0 ? result.Stdout : [];
    }

    /// <summary>After `apt-get update` when lists are absent, so a fresh machine resolves a series too.</summary>
    public static async Task<string?> ResolveWithUpdateAsync(string series, CancellationToken cancel)
    {
        var name = await ResolveKernelPackageAsync(series, cancel);
        if (name is not null || Environment.UserName != "root")
            return name;
        await Tool.TryRunAsync(["apt-get", "update", "-q"], cancel);
        return await ResolveKernelPackageAsync(series, cancel);
    }
}

/// <summary>Orders package names by their numeric parts, so 6.12.117 comes after 6.12.101 and 6.1.0-57 after 6.1.0-9.</summary>
public sealed partial class VersionOrder : IComparer<string>
{
    public static readonly VersionOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = Numbers().Matches(x ?? "").Select(m => long.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var b = Numbers().Matches(y ?? "").Select(m => long.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return a.Count != b.Count ? a.Count.CompareTo(b.Count) : string.CompareOrdinal(x, y);
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Numbers();
}
