namespace Runner.Tests.Support;

public static class Fixtures
{
    public static string Tree(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        Assert.True(Directory.Exists(path), $"fixture tree missing: {path}");
        return path;
    }

    /// <summary>The checkout this test assembly was built from (for the shipped config files).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "runner", "Runner", "Runner.csproj")))
                return dir.FullName;
        throw new InvalidOperationException("test assembly is not inside the checkout");
    }

    public static bool ProcessAlive(int pid)
    {
        // A zombie still has a /proc entry; its state letter is Z.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException) { return false; }
    }

    public static async Task<int> WaitForPidFile(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid))
                return pid;
            await Task.Delay(20);
        }
        throw new TimeoutException($"{path} never appeared");
    }
}
