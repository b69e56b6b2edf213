using System.CommandLine;
using Runner.Workspace;

namespace Runner.Cli;

/// <summary>Options every subcommand accepts, and how they turn into paths.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Root { get; } = new("--root")
    {
        Description = "Project root (the folder holding Runner.sln); default: found by walking up from here",
        Recursive = true,
    };

    public Option<string?> BuildDir { get; } = new("--build-dir")
    {
        Description = "Where kernel images (<name>.elf) and logs/ live; default: <root>/build",
        Recursive = true,
    };

    public Option<string?> Qemu { get; } = new("--qemu")
    {
        Description = "QEMU binary; default: $RUNNER_QEMU, else qemu-system-x86_64 on PATH",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Root);
        root.Options.Add(BuildDir);
        root.Options.Add(Qemu);
    }

    public ProjectPaths Paths(ParseResult p)
    {
        var root = RepoRoot.Find(p.GetValue(Root), Environment.CurrentDirectory, AppContext.BaseDirectory);
        return ProjectPaths.For(root, p.GetValue(BuildDir));
    }
}
