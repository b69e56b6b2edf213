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

    public Option<string?> HostKernel { get; } = new("--host-kernel")
    {
        Description = "Run this command inside an L1 Linux host with real KVM: debian-6.1, debian-6.12, or the path of your own bzImage",
        Recursive = true,
    };

    public Option<string?> HostModules { get; } = new("--host-modules")
    {
        Description = "With --host-kernel PATH: its lib/modules/RELEASE folder (omit when KVM, virtio-pci, 9p and overlay are built in)",
        Recursive = true,
    };

    public Option<string[]> HostKvmParams { get; } = new("--host-kvm-param")
    {
        Description = "A module parameter for L1's KVM, MODULE.PARAM=VALUE (e.g. kvm_amd.avic=1); repeatable",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Root);
        root.Options.Add(BuildDir);
        root.Options.Add(Qemu);
        root.Options.Add(HostKernel);
        root.Options.Add(HostModules);
        root.Options.Add(HostKvmParams);
    }

    public ProjectPaths Paths(ParseResult p)
    {
        var root = RepoRoot.Find(p.GetValue(Root), Environment.CurrentDirectory, AppContext.BaseDirectory);
        return ProjectPaths.For(root, p.GetValue(BuildDir));
    }
}
