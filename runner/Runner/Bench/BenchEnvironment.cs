using System.Diagnostics;
using Runner.Config;
using Runner.Execution;
using Runner.Host;
using Runner.Processes;
using Runner.Qemu;
using Runner.Workspace;

namespace Runner.Bench;

/// <summary>
/// The set-up every benchmark command shares: its kernel entry and image, the errata, QEMU,
/// and a KVM host on which a guest boots. Benchmarks measure under KVM only: a TCG figure
/// under a KVM label would be worse than no figure.
/// </summary>
public sealed record BenchEnvironment
{
    public required ProjectPaths Paths { get; init; }
    public required TestEntry Entry { get; init; }
    public required string Image { get; init; }
    public required IReadOnlyList<Erratum> Errata { get; init; }
    public required string QemuPath { get; init; }
    public required HostCaps Caps { get; init; }
    /// <summary>Started before anything else, so a report's wall time includes the probe.</summary>
    public required Stopwatch Clock { get; init; }
    public required DateTimeOffset Started { get; init; }

    /// <exception cref="UserErrorException">the entry or image is missing, or KVM or its guest does not work here</exception>
    public static async Task<BenchEnvironment> OpenAsync(ProjectPaths paths, string? qemuOption, BenchTarget target)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.Now;
        ChildProcesses.InstallHandlers();
        var entries = UnitTestsParser.ParseFile(paths.UnitTestsConfig, paths.Display(paths.UnitTestsConfig));
        var entry = entries.FirstOrDefault(e => e.Name == target.Entry)
            ?? throw new UserErrorException($"{paths.Display(paths.UnitTestsConfig)} has no [{target.Entry}] entry: add one ({target.EntryHint})");
        var image = paths.KernelImage(entry.File);
        if (!File.Exists(image))
            throw new UserErrorException($"{paths.Display(image)} not found: run `make kernels`");
        var errata = ErrataParser.ParseFile(paths.ErrataConfig, paths.Display(paths.ErrataConfig), entries);
        var qemuPath = QemuBinary.LocateOrThrow(qemuOption);
        var files = HostProbe.ProbeFiles("/");
        if (!files.Kvm.Available)
            throw new UserErrorException($"KVM is unusable here ({files.Kvm.Detail}): {target.KvmNeed}");
        var caps = await HostCapsProbe.ProbeAsync("/", qemuPath, bootGuest: true, ChildProcesses.InterruptToken);
        if (caps.Guest.CpuModel is null)
            throw new UserErrorException($"no KVM guest boots here: {caps.Guest.CpuModelDetail}");
        return new BenchEnvironment
        {
            Paths = paths, Entry = entry, Image = image, Errata = errata, QemuPath = qemuPath, Caps = caps,
            Clock = clock, Started = started,
        };
    }

    /// <summary>Every boot under KVM with its counters read over QMP at each sync point.</summary>
    public RunSettings Settings => new()
    {
        Paths = Paths,
        Caps = Caps,
        QemuPath = QemuPath,
        ForcedAccel = AccelMode.Kvm,
        Errata = Errata,
        KvmStats = true,
    };

    public IpiHost HostInfo => IpiHostInfo.From(Caps);

    public IpiKernel Kernel => new(Paths.Display(Image), IpiHostInfo.Sha256(Image), Entry.Name);

    /// <summary>The runner's own arguments, as a report records them.</summary>
    public static IReadOnlyList<string> CommandLine => Environment.GetCommandLineArgs().Skip(1).ToList();

    /// <summary>Seconds since the command started, as a report records them.</summary>
    public double WallSeconds => Math.Round(Clock.Elapsed.TotalSeconds, 2);
}
