namespace Runner.Workspace;

/// <summary>
/// Finds the project checkout so `runner` works from any sub-folder and also when
/// started from its build output (dotnet run, tests).
/// </summary>
public static class RepoRoot
{
    // The lead creates Runner.sln; newer SDKs default to .slnx, so accept both.
    static readonly string[] Markers = ["Runner.sln", "Runner.slnx"];

    public static string Find(string? overrideRoot, string currentDirectory, string baseDirectory)
    {
        if (overrideRoot is not null)
        {
            var full = Path.GetFullPath(overrideRoot, currentDirectory);
            if (!Directory.Exists(full))
                throw new UserErrorException($"--root {overrideRoot}: no such directory: pass the folder that holds Runner.sln");
            return full;
        }

        return WalkUp(currentDirectory) ?? WalkUp(baseDirectory)
            ?? throw new UserErrorException(
                $"cannot find the project root (a folder holding Runner.sln) above {currentDirectory}: run inside the checkout or pass --root DIR");
    }

    static string? WalkUp(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (Markers.Any(m => File.Exists(Path.Combine(dir.FullName, m))))
                return dir.FullName;
        }
        return null;
    }
}
