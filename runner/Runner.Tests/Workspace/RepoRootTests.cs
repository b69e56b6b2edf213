using Runner.Tests.Support;
using Runner.Workspace;

namespace Runner.Tests.Workspace;

public class RepoRootTests
{
    [Fact]
    public void WalksUpToTheFolderHoldingRunnerSln()
    {
        using var tmp = new TempDir();
        tmp.File("Runner.sln", "");
        var deep = Path.Combine(tmp.Path, "runner", "Runner", "bin");
        Directory.CreateDirectory(deep);

        Assert.Equal(tmp.Path, RepoRoot.Find(null, deep, "/"));
    }

    [Fact]
    public void FallsBackToTheBinaryLocation()
    {
        using var tmp = new TempDir();
        tmp.File("Runner.sln", "");
        var bin = Path.Combine(tmp.Path, "build", "bin");
        Directory.CreateDirectory(bin);

        Assert.Equal(tmp.Path, RepoRoot.Find(null, "/", bin));
    }

    [Fact]
    public void OverrideWinsAndMustExist()
    {
        using var tmp = new TempDir();
        Assert.Equal(tmp.Path, RepoRoot.Find(tmp.Path, "/", "/"));
        var e = Assert.Throws<UserErrorException>(() => RepoRoot.Find("/nonexistent/x", "/", "/"));
        Assert.StartsWith("--root /nonexistent/x: no such directory", e.Message);
    }

    [Fact]
    public void NotFoundIsAUserError()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<UserErrorException>(() => RepoRoot.Find(null, tmp.Path, tmp.Path));
        Assert.Contains("pass --root DIR", e.Message);
    }

    [Fact]
    public void PathsAreShownRelativeToTheRoot()
    {
        var p = ProjectPaths.For("/w", null);
        Assert.Equal("build/x.elf", p.Display(p.KernelImage("x")));
        Assert.Equal("/elsewhere/x.elf", p.Display("/elsewhere/x.elf"));
        Assert.Equal("/w/out/logs", ProjectPaths.For("/w", "out").LogsDir);
    }
}
