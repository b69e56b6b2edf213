namespace Runner.Workspace;

/// <summary>Where things live inside a checkout; one place so tests can point it at a temp tree.</summary>
public sealed record ProjectPaths(string Root, string BuildDir)
{
    public static ProjectPaths For(string root, string? buildDir) =>
        new(root, buildDir is null ? Path.Combine(root, "build") : Path.GetFullPath(buildDir, root));

    public string UnitTestsConfig => Path.Combine(Root, "tests", "unittests.cfg");
    public string ErrataConfig => Path.Combine(Root, "tests", "errata.cfg");
    public string LogsDir => Path.Combine(BuildDir, "logs");

    public string KernelImage(string file) => Path.Combine(BuildDir, file + ".elf");

    /// <summary>Paths in messages are shown relative to the root when possible, as a person would type them.</summary>
    public string Display(string path)
    {
        var rel = Path.GetRelativePath(Root, path);
        return rel.StartsWith("..", StringComparison.Ordinal) ? path : rel;
    }
}
